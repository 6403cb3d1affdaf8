//go:build unix

package rie

import (
	"os/exec"
	"syscall"
	"time"
)

// ownProcessGroup puts the emulator in its own process group, which the function it
// starts joins, so terminate reaches both.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// terminate asks the emulator's process group to stop (the emulator then kills the
// function), and kills the group after five seconds.
func terminate(cmd *exec.Cmd, exited <-chan struct{}) {
	pgid := -cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-exited
	}
	// The function may outlive an emulator that exited on its own.
	_ = syscall.Kill(pgid, syscall.SIGKILL)
}
