package main

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// SIGTERM's soft stop reaches the customers: an open widget socket is closed
// with 1001 (going away), which the protocol documents as "reconnect".
func TestShutdownClosesWidgetSocketsWithGoingAway(t *testing.T) {
	t.Parallel()
	srv, err := startServer(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	wsURL := "ws" + strings.TrimPrefix(srv.URL(), "http") + "/widget/ws?site=" + demoSiteKey
	ws, resp, err := websocket.DefaultDialer.Dial(wsURL, http.Header{"Origin": {srv.URL()}})
	if err != nil {
		t.Fatalf("dial %s: %v (%v)", wsURL, err, resp)
	}
	defer ws.Close()
	if err := ws.WriteJSON(map[string]any{"v": 1, "type": "hello"}); err != nil {
		t.Fatal(err)
	}
	var welcome map[string]any
	if err := ws.ReadJSON(&welcome); err != nil || welcome["type"] != "welcome" {
		t.Fatalf("first frame %v, %v; want welcome", welcome, err)
	}

	done := make(chan error, 1)
	go func() { done <- srv.Shutdown() }()
	ws.SetReadDeadline(time.Now().Add(15 * time.Second))
	for {
		_, _, err := ws.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
			t.Fatalf("socket ended with %v, want close 1001 (going away)", err)
		}
		break
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}
