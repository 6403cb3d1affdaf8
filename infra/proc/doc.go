// Package proc stops the helper processes tests start (moto_server, the Lambda runtime
// emulator) together with whatever they started themselves.
package proc
