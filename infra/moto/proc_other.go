//go:build !unix

package moto

import "os/exec"

func ownProcessGroup(cmd *exec.Cmd) {}

// terminate kills the child; without process groups a wrapper's children may outlive it.
func terminate(cmd *exec.Cmd, exited <-chan struct{}) {
	_ = cmd.Process.Kill()
	<-exited
}
