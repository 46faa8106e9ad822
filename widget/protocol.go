package widget

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/frontlinehq/frontline"
)

// ProtocolVersion is the "v" every frame carries. See PROTOCOL.md.
const ProtocolVersion = 1

// Frame types a client sends.
const (
	TypeHello        = "hello"
	TypeMessage      = "message"
	TypeTyping       = "typing"
	TypeRequestHuman = "request_human"
	TypeCSAT         = "csat"
	TypeContact      = "contact"
	TypeHistory      = "history"
	TypeTranscript   = "transcript"
)

// Frame types the server sends (typing, history and transcript go both ways).
const (
	TypeWelcome  = "welcome"
	TypeAck      = "ack"
	TypeMessages = "messages"
	TypeQueue    = "queue"
	TypeToken    = "token"
	TypeError    = "error"
)

// Close codes. Which ones a client reconnects after is part of the protocol
// (PROTOCOL.md, "Close codes"); reconnectable reports it in Go.
const (
	CloseNormal             = 1000 // terminal: the client left
	CloseGoingAway          = 1001 // reconnect: server shutting down or restarting
	CloseUnsupportedData    = 1003 // terminal: a binary frame; frames are JSON text
	CloseInvalidText        = 1007 // terminal: a text frame that is not valid UTF-8
	CloseTooBig             = 1009 // terminal: a frame exceeded the read limit
	CloseInternal           = 1011 // reconnect: unexpected server error
	CloseTryAgainLater      = 1013 // reconnect with backoff: frames waited too long for a stalled server
	CloseBadHandshake       = 4400 // terminal: first frame was not a valid hello
	CloseTokenRejected      = 4401 // reconnect at once without the stored token
	CloseForbidden          = 4403 // terminal: unknown site or failed identity check
	CloseHelloTimeout       = 4408 // reconnect: no hello within HelloTimeout
	CloseSlowConsumer       = 4409 // reconnect: the client fell behind its send buffer
	CloseBadVersion         = 4426 // terminal: unsupported protocol version
	CloseRateLimited        = 4429 // reconnect after retry_after_ms
	CloseTooManyErrors      = 4430 // terminal: too many rejected frames in a row
	CloseTooManyConnections = 4431 // reconnect with backoff: the address holds Limits.IPMaxConnections
	closeReasonMaxBytes     = 120
)

// reconnectable reports whether a client should reconnect after code.
func reconnectable(code int) bool {
	switch code {
	case CloseGoingAway, CloseInternal, CloseTryAgainLater, CloseTokenRejected, CloseHelloTimeout, CloseSlowConsumer,
		CloseRateLimited, CloseTooManyConnections:
		return true
	}
	return false
}

// clientFrame is a decoded frame from a client. Exactly one of the payload
// pointers is set, matching Type.
type clientFrame struct {
	Type       string
	Hello      *helloFrame
	Message    *messageFrame
	Typing     *typingFrame
	Request    *requestHumanFrame
	CSAT       *csatFrame
	Contact    *contactFrame
	History    *historyFrame
	Transcript *transcriptFrame
}

// envelope is what every frame starts with.
type envelope struct {
	V    int    `json:"v"`
	Type string `json:"type"`
}

type helloFrame struct {
	envelope
	// Token is the visitor token from an earlier welcome; empty for a new visitor.
	Token string `json:"token,omitempty"`
	// LastSeq is the highest seq the client holds; the server replays after it.
	LastSeq int64 `json:"last_seq,omitempty"`
	// UserID and UserHash verify a customer: UserHash is
	// hex(HMAC-SHA256(site identity secret, UserID)).
	UserID   string `json:"user_id,omitempty"`
	UserHash string `json:"user_hash,omitempty"`
}

type messageFrame struct {
	envelope
	ID   string `json:"id"`
	Body string `json:"body"`
}

type typingFrame struct {
	envelope
	On bool `json:"on"`
}

type requestHumanFrame struct {
	envelope
	ID string `json:"id"`
}

type csatFrame struct {
	envelope
	ID      string `json:"id"`
	Rating  int    `json:"rating"`
	Comment string `json:"comment,omitempty"`
}

type contactFrame struct {
	envelope
	ID    string `json:"id"`
	Email string `json:"email"`
}

type historyFrame struct {
	envelope
	ID string `json:"id"`
}

type transcriptFrame struct {
	envelope
	ID             string `json:"id"`
	ConversationID string `json:"conversation_id,omitempty"`
}

// Bounds on client-supplied fields other than the message body.
const (
	maxCommentBytes = 2000
	maxEmailBytes   = 254
	maxTokenBytes   = 1024
	maxUserIDBytes  = 256
)

// frameError is a rejected frame: the error frame's code and message, and
// the close code when the connection must end.
type frameError struct {
	Code      string
	Message   string
	CloseCode int // 0: keep the connection
}

func (e *frameError) Error() string { return e.Code + ": " + e.Message }

func badFrame(format string, args ...any) *frameError {
	return &frameError{Code: frontline.EInvalid, Message: fmt.Sprintf(format, args...)}
}

// decodeFrame parses one client frame strictly: the version must match,
// the type must be known, and fields not defined for that type are rejected.
// maxBody bounds a message body in bytes.
func decodeFrame(data []byte, maxBody int) (clientFrame, error) {
	// null, arrays, strings and numbers would decode into an empty
	// envelope (null without an error): only an object is a frame.
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return clientFrame{}, badFrame("a frame is one JSON object")
	}
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return clientFrame{}, badFrame("malformed JSON: %s", jsonProblem(err))
	}
	if env.V != ProtocolVersion {
		return clientFrame{}, &frameError{
			Code:      "unsupported_version",
			Message:   fmt.Sprintf("field v: version %d is not supported; use %d", env.V, ProtocolVersion),
			CloseCode: CloseBadVersion,
		}
	}
	f := clientFrame{Type: env.Type}
	var target any
	switch env.Type {
	case TypeHello:
		f.Hello = new(helloFrame)
		target = f.Hello
	case TypeMessage:
		f.Message = new(messageFrame)
		target = f.Message
	case TypeTyping:
		f.Typing = new(typingFrame)
		target = f.Typing
	case TypeRequestHuman:
		f.Request = new(requestHumanFrame)
		target = f.Request
	case TypeCSAT:
		f.CSAT = new(csatFrame)
		target = f.CSAT
	case TypeContact:
		f.Contact = new(contactFrame)
		target = f.Contact
	case TypeHistory:
		f.History = new(historyFrame)
		target = f.History
	case TypeTranscript:
		f.Transcript = new(transcriptFrame)
		target = f.Transcript
	case "":
		return clientFrame{}, badFrame("field type: missing")
	default:
		return clientFrame{}, &frameError{Code: "unknown_type", Message: fmt.Sprintf("field type: unknown frame type %.40q", env.Type)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(target); err != nil {
		return clientFrame{}, badFrame("%s frame: %s", env.Type, jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return clientFrame{}, badFrame("%s frame: trailing data after the object", env.Type)
	}
	if err := f.validate(maxBody); err != nil {
		return clientFrame{}, err
	}
	return f, nil
}

// jsonProblem describes a decoding error without echoing large input.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %s: wrong type %s", typ.Field, typ.Value)
	}
	msg := err.Error()
	if len(msg) > 120 {
		msg = msg[:120]
	}
	return msg
}

func (f clientFrame) validate(maxBody int) error {
	needID := func(id string) error {
		if !frontline.ValidID(id) {
			return badFrame("field id: 1 to 64 letters, digits, '_' or '-'")
		}
		return nil
	}
	switch {
	case f.Hello != nil:
		h := f.Hello
		if len(h.Token) > maxTokenBytes {
			return badFrame("field token: too long")
		}
		if h.LastSeq < 0 {
			return badFrame("field last_seq: must not be negative")
		}
		if len(h.UserID) > maxUserIDBytes {
			return badFrame("field user_id: longer than %d bytes", maxUserIDBytes)
		}
		if (h.UserID == "") != (h.UserHash == "") {
			return badFrame("fields user_id and user_hash: give both or neither")
		}
	case f.Message != nil:
		if err := needID(f.Message.ID); err != nil {
			return err
		}
		return checkBody(f.Message.Body, maxBody)
	case f.Request != nil:
		return needID(f.Request.ID)
	case f.CSAT != nil:
		if err := needID(f.CSAT.ID); err != nil {
			return err
		}
		if f.CSAT.Rating < 1 || f.CSAT.Rating > 5 {
			return badFrame("field rating: must be 1 to 5")
		}
		if len(f.CSAT.Comment) > maxCommentBytes {
			return &frameError{Code: frontline.ETooLarge, Message: fmt.Sprintf("field comment: longer than %d bytes", maxCommentBytes)}
		}
	case f.Contact != nil:
		if err := needID(f.Contact.ID); err != nil {
			return err
		}
		if !plausibleEmail(f.Contact.Email) {
			return badFrame("field email: not an email address")
		}
	case f.History != nil:
		return needID(f.History.ID)
	case f.Transcript != nil:
		if err := needID(f.Transcript.ID); err != nil {
			return err
		}
		if c := f.Transcript.ConversationID; c != "" && !frontline.ValidID(c) {
			return badFrame("field conversation_id: not an id")
		}
	}
	return nil
}

func checkBody(body string, maxBody int) error {
	if len(body) > maxBody {
		return &frameError{Code: frontline.ETooLarge, Message: fmt.Sprintf("field body: %d bytes, the limit is %d", len(body), maxBody)}
	}
	if len(bytes.TrimSpace([]byte(body))) == 0 {
		return badFrame("field body: empty")
	}
	return nil
}

// plausibleEmail is a shape check only: one @, something either side, a dot
// in the domain, no spaces or angle brackets.
func plausibleEmail(s string) bool {
	if len(s) < 3 || len(s) > maxEmailBytes {
		return false
	}
	at := -1
	for i, r := range s {
		switch {
		case r == '@':
			if at >= 0 {
				return false
			}
			at = i
		case r <= ' ' || r == '<' || r == '>' || r == '"' || r == 0x7f:
			return false
		}
	}
	return at > 0 && at < len(s)-1 && bytes.IndexByte([]byte(s[at:]), '.') > 1 && s[len(s)-1] != '.'
}

// Server frames. Every one carries "v", "type" and "seq": the highest
// conversation seq this connection has been sent so far.

type serverHeader struct {
	V    int    `json:"v"`
	Type string `json:"type"`
	Seq  int64  `json:"seq"`
}

type welcomeFrame struct {
	serverHeader
	VisitorID      string `json:"visitor_id"`
	ConversationID string `json:"conversation_id,omitempty"`
	Token          string `json:"token"`
	Status         string `json:"status"`
	Verified       bool   `json:"verified"`
	SiteName       string `json:"site_name,omitempty"`
	// Look is the site's look, as GET /widget/settings gives it.
	Look *Look `json:"look,omitempty"`
	// AfterHours is true while the team the conversation would go to is
	// out of its business hours; Hours describes them and OpensAt (RFC
	// 3339) says when it next opens, holidays skipped.
	AfterHours bool   `json:"after_hours"`
	Hours      string `json:"hours,omitempty"`
	OpensAt    string `json:"opens_at,omitempty"`
	MaxBody    int    `json:"max_body"`
	// Reset tells the client to drop what it shows: its last_seq was not
	// from this conversation, and everything is replayed from seq 1.
	Reset bool `json:"reset,omitempty"`
}

type ackFrame struct {
	serverHeader
	ID        string `json:"id"`
	MsgSeq    int64  `json:"msg_seq,omitempty"`
	Duplicate bool   `json:"duplicate,omitempty"`
}

type messagesFrame struct {
	serverHeader
	ConversationID string        `json:"conversation_id"`
	Messages       []wireMessage `json:"messages"`
}

type typingServerFrame struct {
	serverHeader
	Who  string `json:"who"`
	Name string `json:"name,omitempty"`
	On   bool   `json:"on"`
}

type queueFrame struct {
	serverHeader
	Status     string `json:"status"`
	Position   int    `json:"position"`
	ETASeconds int64  `json:"eta_seconds"`
	AgentName  string `json:"agent_name,omitempty"`
	// OpensAt (RFC 3339) is set while the team is out of business hours:
	// when the customer will be answered.
	OpensAt string `json:"opens_at,omitempty"`
}

type tokenFrame struct {
	serverHeader
	Token          string `json:"token"`
	ConversationID string `json:"conversation_id"`
}

type historyServerFrame struct {
	serverHeader
	ID            string             `json:"id"`
	Conversations []wireConversation `json:"conversations"`
}

type transcriptServerFrame struct {
	serverHeader
	ID             string        `json:"id"`
	ConversationID string        `json:"conversation_id"`
	Messages       []wireMessage `json:"messages"`
	Truncated      bool          `json:"truncated,omitempty"`
}

type errorFrame struct {
	serverHeader
	ID           string `json:"id,omitempty"`
	Code         string `json:"code"`
	Message      string `json:"message"`
	RetryAfterMs int64  `json:"retry_after_ms,omitempty"`
	Close        int    `json:"close,omitempty"`
}

// wireMessage is a Message as the customer sees it: text only, never HTML.
type wireMessage struct {
	Seq         int64  `json:"seq"`
	ClientMsgID string `json:"client_msg_id,omitempty"`
	Author      string `json:"author"`
	AuthorName  string `json:"author_name,omitempty"`
	Body        string `json:"body"`
	Kind        string `json:"kind,omitempty"`
	// ReplyTo is the seq of the customer message a bot reply answers.
	ReplyTo   int64          `json:"reply_to,omitempty"`
	Citations []wireCitation `json:"citations,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
}

type wireCitation struct {
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
}

type wireConversation struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	LastSeq   int64     `json:"last_seq"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// toWire converts a stored message for a customer. Agent ids and internal
// meta stay on the server; citation URLs that are not http(s) are dropped.
func toWire(m frontline.Message) wireMessage {
	w := wireMessage{
		Seq:        m.Seq,
		Author:     string(m.Author),
		AuthorName: m.AuthorName,
		Body:       m.Body,
		Kind:       m.Meta.Kind,
		ReplyTo:    m.Meta.ReplyTo,
		CreatedAt:  m.CreatedAt,
	}
	if m.Author == frontline.AuthorCustomer {
		w.ClientMsgID = m.ClientMsgID
	}
	for _, c := range m.Meta.Citations {
		w.Citations = append(w.Citations, wireCitation{Title: c.Title, URL: safeURL(c.URL)})
	}
	return w
}
