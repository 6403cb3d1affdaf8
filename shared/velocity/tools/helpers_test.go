package tools_test

import (
	"errors"

	"github.com/flowhook/flowhook/shared/velocity"
)

func asThrowable(err error, th **velocity.Throwable) bool { return errors.As(err, th) }
