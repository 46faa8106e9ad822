package widget

import (
	"testing"
)

// FuzzDecodeFrame: any input either decodes to a frame of a known type with
// the current version and valid fields, or is rejected with a frameError;
// it never panics. The seeds run as a normal test.
func FuzzDecodeFrame(f *testing.F) {
	for _, s := range []string{
		`{"v":1,"type":"hello"}`,
		`{"v":1,"type":"hello","token":"v1.abc.def","last_seq":3,"user_id":"u","user_hash":"00"}`,
		`{"v":1,"type":"message","id":"m1","body":"hi"}`,
		`{"v":1,"type":"message","id":"m1","body":"hi","x":1}`,
		`{"v":1,"type":"request_human","id":"r1"}`,
		`{"v":1,"type":"csat","id":"c1","rating":5,"comment":"great"}`,
		`{"v":1,"type":"contact","id":"e1","email":"a@b.example"}`,
		`{"v":1,"type":"history","id":"h1"}`,
		`{"v":1,"type":"transcript","id":"t1","conversation_id":"c_x"}`,
		`{"v":1,"type":"typing","on":true}`,
		`{"v":2,"type":"hello"}`,
		`{"v":1,"type":"message","id":"m1","body":"hi"} {}`,
		`{"v":1,"type":"message","id":"m1","body":"\u0000"}`,
		`{"type":"message","v":1,"type":"hello"}`,
		`[]`, `null`, `{`, ``, `"str"`, `{"v":1e400}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := decodeFrame(data, 4096)
		if err != nil {
			if _, ok := err.(*frameError); !ok {
				t.Fatalf("decodeFrame(%q) error %T %v, want *frameError", data, err, err)
			}
			return
		}
		set := 0
		for _, p := range []bool{fr.Hello != nil, fr.Message != nil, fr.Typing != nil, fr.Request != nil, fr.CSAT != nil, fr.Contact != nil, fr.History != nil, fr.Transcript != nil} {
			if p {
				set++
			}
		}
		if set != 1 {
			t.Fatalf("decodeFrame(%q) set %d payloads, want 1", data, set)
		}
		if fr.Message != nil && (len(fr.Message.Body) > 4096 || fr.Message.Body == "") {
			t.Fatalf("decodeFrame(%q) accepted body of %d bytes", data, len(fr.Message.Body))
		}
	})
}
