//go:build unix

package proc

import (
	"os/exec"
	"syscall"
	"time"
)

// OwnGroup puts the command's process in a process group of its own, which the
// processes it starts join, so Terminate reaches them all (wrappers such as pyenv
// shims, the function an emulator starts).
func OwnGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// Terminate asks the started command's process group to stop, kills it after five
// seconds, and kills what is left of the group once the command has exited (a child
// may outlive a parent that exited on its own). exited is closed when cmd.Wait returns.
func Terminate(cmd *exec.Cmd, exited <-chan struct{}) {
	pgid := -cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-exited
	}
	_ = syscall.Kill(pgid, syscall.SIGKILL)
}
