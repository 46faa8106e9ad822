// Package obligation runs the bot's durable to-do list: on every node a
// worker claims the obligations due in the Log (each customer message owes
// one answer), hands each to the Responder, and completes, retries or
// drops it. The answer and the end of the obligation commit together (see
// frontline.AppendRequest.Answers), so each message gets exactly one reply
// or hand-off whichever node answers it, however often one dies meanwhile.
package obligation

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/frontlinehq/frontline"
)

// Options tune a Worker; zero values take the defaults.
type Options struct {
	// Workers bounds the responder calls running at once (default 4 per
	// CPU), so a burst of questions waits in the Log instead of crowding
	// the store's connections that acknowledgements need.
	Workers int
	// Lease is how long a claim lasts unless renewed (default
	// DefaultLease). The worker renews the leases of the calls it runs,
	// so this is how soon a dead node's claims are due again.
	Lease time.Duration
	// Poll is how often the Log is asked for due obligations when nothing
	// woke the worker (default DefaultPoll): what other nodes left, and
	// retries whose back-off ended.
	Poll time.Duration
	// CallTimeout bounds one responder call (default DefaultCallTimeout).
	CallTimeout time.Duration
	// Backoff is the delay before attempt n+1 after attempt n failed
	// (default: 1 s doubling up to 1 min).
	Backoff func(attempt int) time.Duration
	// Typing, when set, is told when the bot starts (on) and stops working
	// on a message of a conversation it may answer in: the widget shows it.
	Typing func(conversationID string, on bool)
	Logger *slog.Logger
}

// Defaults.
const (
	DefaultLease       = 10 * time.Second
	DefaultPoll        = time.Second
	DefaultCallTimeout = 2 * time.Minute
	maxBackoff         = time.Minute
	// storeTimeout bounds the worker's own bookkeeping calls.
	storeTimeout = 10 * time.Second
)

func defaultBackoff(attempt int) time.Duration {
	d := time.Second
	for i := 1; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// Worker claims and handles obligations until stopped. Start it once.
type Worker struct {
	log       frontline.Log
	responder frontline.Responder
	opts      Options
	logger    *slog.Logger

	baseCtx  context.Context // cancelled by Stop when its grace ends
	cancel   context.CancelFunc
	stop     chan struct{}
	loopDone chan struct{}
	freed    chan struct{} // a call ended: room to claim again
	calls    sync.WaitGroup

	mu       sync.Mutex
	inflight map[frontline.ObligationKey]struct{}
	stopping bool

	// settled, in tests, hears of each obligation handled (err is the
	// responder's); claimed of each claim's count.
	settled func(o frontline.Obligation, err error)
	claimed func(n int)
}

// New returns a worker that feeds log's obligations to r.
func New(log frontline.Log, r frontline.Responder, opts Options) *Worker {
	if opts.Workers <= 0 {
		opts.Workers = 4 * runtime.GOMAXPROCS(0)
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = DefaultCallTimeout
	}
	if opts.Backoff == nil {
		opts.Backoff = defaultBackoff
	}
	w := &Worker{
		log: log, responder: r, opts: opts, logger: opts.Logger,
		stop: make(chan struct{}), loopDone: make(chan struct{}), freed: make(chan struct{}, 1),
		inflight: map[frontline.ObligationKey]struct{}{},
	}
	if w.logger == nil {
		w.logger = slog.New(slog.DiscardHandler)
	}
	w.baseCtx, w.cancel = context.WithCancel(context.Background())
	return w
}

// Start runs the worker in the background.
func (w *Worker) Start() { go w.run() }

// Stop stops claiming, lets the calls running finish until ctx ends, then
// cancels them; what they leave owed is due again at once, for another
// node or the next start. It returns ctx's error when the grace ran out.
func (w *Worker) Stop(ctx context.Context) error {
	w.mu.Lock()
	if w.stopping {
		w.mu.Unlock()
		return nil
	}
	w.stopping = true
	w.mu.Unlock()
	close(w.stop)
	<-w.loopDone
	done := make(chan struct{})
	go func() { w.calls.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		w.cancel()
		<-done
	}
	w.cancel()
	return err
}

func (w *Worker) run() {
	defer close(w.loopDone)
	poll := time.NewTicker(w.opts.Poll)
	defer poll.Stop()
	renew := time.NewTicker(w.opts.Lease / 3)
	defer renew.Stop()
	more := true // obligations may be due that no claim has seen yet
	for {
		if more {
			more = w.claim()
		}
		select {
		case <-w.stop:
			return
		case <-w.log.Owed():
			more = true
		case <-poll.C:
			more = true
		case <-w.freed:
			// Room again, and the conversation's next message (held back
			// while this one was owed) may be due now.
			more = true
		case <-renew.C:
			w.renew()
		}
	}
}

// claim takes as many due obligations as there is room for and starts a
// call for each. It reports whether more may be due (the claim was full).
func (w *Worker) claim() bool {
	w.mu.Lock()
	room := w.opts.Workers - len(w.inflight)
	w.mu.Unlock()
	if room <= 0 {
		return true
	}
	ctx, cancel := context.WithTimeout(w.baseCtx, storeTimeout)
	obs, err := w.log.ClaimObligations(ctx, frontline.ClaimOpts{Limit: room, Lease: w.opts.Lease})
	cancel()
	if err != nil {
		if w.baseCtx.Err() == nil {
			w.logger.Warn("obligation: claim failed; polling again", "err", err)
		}
		return false
	}
	w.mu.Lock()
	for _, o := range obs {
		w.inflight[o.Key()] = struct{}{}
	}
	w.mu.Unlock()
	if w.claimed != nil {
		w.claimed(len(obs))
	}
	for _, o := range obs {
		w.calls.Add(1)
		go w.handle(o)
	}
	return len(obs) == room
}

// renew extends the leases of the calls running.
func (w *Worker) renew() {
	w.mu.Lock()
	keys := make([]frontline.ObligationKey, 0, len(w.inflight))
	for k := range w.inflight {
		keys = append(keys, k)
	}
	w.mu.Unlock()
	if len(keys) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(w.baseCtx, storeTimeout)
	defer cancel()
	if err := w.log.ExtendObligations(ctx, keys, w.opts.Lease); err != nil && w.baseCtx.Err() == nil {
		w.logger.Warn("obligation: renew leases", "count", len(keys), "err", err)
	}
}

func (w *Worker) handle(o frontline.Obligation) {
	defer w.calls.Done()
	defer func() {
		w.mu.Lock()
		delete(w.inflight, o.Key())
		w.mu.Unlock()
		select {
		case w.freed <- struct{}{}:
		default:
		}
	}()
	conv, msg := o.Conversation, o.Message
	typing := w.opts.Typing != nil && conv.Status.BotMaySend()
	if typing {
		w.opts.Typing(conv.ID, true)
	}
	ctx, cancel := context.WithTimeout(w.baseCtx, w.opts.CallTimeout)
	err := w.responder.HandleMessage(ctx, conv, msg)
	cancel()
	if typing {
		w.opts.Typing(conv.ID, false)
	}
	// Bookkeeping outlives a cancelled call: it says what the call left.
	bctx, bcancel := context.WithTimeout(context.WithoutCancel(w.baseCtx), storeTimeout)
	defer bcancel()
	if err != nil {
		delay := w.opts.Backoff(o.Attempt)
		if w.baseCtx.Err() != nil {
			delay = 0 // stopped, not failed: another node may take it now
		}
		level := slog.LevelWarn
		if o.Attempt >= 5 {
			level = slog.LevelError
		}
		w.logger.Log(bctx, level, "obligation: responder failed; will retry", "conversation", conv.ID, "seq", msg.Seq,
			"attempt", o.Attempt, "retry_in", delay, "err", err)
		if rerr := w.log.RetryObligation(bctx, o.Key(), delay); rerr != nil {
			w.logger.Warn("obligation: schedule retry; the lease brings it back", "conversation", conv.ID, "seq", msg.Seq, "err", rerr)
		}
	} else {
		// Done with it: whatever is still owed (the responder chose not to
		// answer) is dropped; after a reply this changes nothing.
		_, derr := w.log.DropObligation(bctx, o.Key(), frontline.Event{Kind: frontline.EventObligationDropped, Actor: "bot",
			Data: frontline.MustJSON(frontline.DropData{Reason: frontline.DropNoReply})})
		if derr != nil && !errors.Is(derr, context.Canceled) {
			w.logger.Warn("obligation: settle; the lease brings it back", "conversation", conv.ID, "seq", msg.Seq, "err", derr)
		}
	}
	if w.settled != nil {
		w.settled(o, err)
	}
}
