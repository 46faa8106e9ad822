//go:build unix

package widget

import "syscall"

// processUsage is the process's CPU time so far and how often its threads
// gave up the CPU to wait (voluntary context switches: the wake-ups the
// bench attributes per message).
func processUsage() (userSeconds, sysSeconds float64, waits int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0, 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime), tv(ru.Stime), int64(ru.Nvcsw)
}
