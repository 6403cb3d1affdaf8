//go:build unix

package moto

import (
	"os/exec"
	"syscall"
	"time"
)

// ownProcessGroup puts the child in its own process group, so terminate reaches
// moto_server even when it runs behind a wrapper (pyenv shims exec a chain of scripts).
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// terminate asks the child's process group to stop, and kills it after five seconds.
func terminate(cmd *exec.Cmd, exited <-chan struct{}) {
	pgid := -cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-exited
	}
}
