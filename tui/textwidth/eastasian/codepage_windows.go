//go:build windows

package eastasian

import "syscall"

// consoleCodePage is the console's output code page, 0 when there is no console (the
// output goes to a file or a pipe, or the call fails). Through syscall, not
// golang.org/x/sys, which would initialise after x/ansi (see the package comment).
func consoleCodePage() uint32 {
	proc := syscall.NewLazyDLL("kernel32.dll").NewProc("GetConsoleOutputCP")
	if proc.Find() != nil {
		return 0
	}
	cp, _, _ := proc.Call()
	return uint32(cp)
}
