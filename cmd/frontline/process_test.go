package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestProcessDrainsOnSIGTERM runs the real binary with no configuration at
// all (the README's first command), waits until it serves, sends SIGTERM and
// expects a clean exit, code 0.
func TestProcessDrainsOnSIGTERM(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "frontline")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--shutdown-timeout", "5s")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()} // nothing configured
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })

	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	addrRE := regexp.MustCompile(`msg=listening addr=(\S+)`)
	var url string
	var log []string
	sawWarning := false
	for url == "" || !sawWarning {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("frontline exited before listening:\n%s", strings.Join(log, "\n"))
			}
			log = append(log, line)
			if m := addrRE.FindStringSubmatch(line); m != nil {
				url = m[1]
			}
			if strings.Contains(line, "Nothing is durable") {
				sawWarning = true
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("frontline did not start within 30s:\n%s", strings.Join(log, "\n"))
		}
	}
	waitReady(t, url)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for line := range lines {
			log = append(log, line)
		}
		done <- cmd.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("frontline exited with %v after SIGTERM, want 0:\n%s", err, strings.Join(log, "\n"))
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("frontline did not exit within 15s of SIGTERM:\n%s", strings.Join(log, "\n"))
	}
	if !strings.Contains(strings.Join(log, "\n"), "msg=stopped") {
		t.Fatalf("no orderly stop in the log:\n%s", strings.Join(log, "\n"))
	}
}

func waitReady(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/readyz not ready within 20s (last error %v)", url, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
