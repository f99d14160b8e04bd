//go:build !windows

package eastasian

// consoleCodePage is 0: only Windows has the classic console.
func consoleCodePage() uint32 { return 0 }
