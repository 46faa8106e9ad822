//go:build !unix

package widget

func processUsage() (userSeconds, sysSeconds float64, waits int64) { return 0, 0, 0 }
