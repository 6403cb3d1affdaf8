//go:build !unix

package rie

import "os/exec"

func ownProcessGroup(cmd *exec.Cmd) {}

// terminate kills the emulator; without process groups the function may outlive it
// (the emulator runs only on Linux anyway).
func terminate(cmd *exec.Cmd, exited <-chan struct{}) {
	_ = cmd.Process.Kill()
	<-exited
}
