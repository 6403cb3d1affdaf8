//go:build !unix

package proc

import "os/exec"

// OwnGroup does nothing where there are no process groups.
func OwnGroup(cmd *exec.Cmd) {}

// Terminate kills the command; without process groups its children may outlive it.
func Terminate(cmd *exec.Cmd, exited <-chan struct{}) {
	_ = cmd.Process.Kill()
	<-exited
}
