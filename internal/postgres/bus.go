package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/fanout"
)

var _ frontline.Bus = (*Bus)(nil)

// Bus is frontline.Bus on LISTEN/NOTIFY: one listening connection per node,
// taken out of the pool, fanning payloads ("topic seq") out to local
// subscribers. When the connection drops it reconnects with backoff and
// tells every subscriber to resync, since notifications sent meanwhile are
// lost.
type Bus struct {
	db     *DB
	logger *slog.Logger
	local  *fanout.Hub

	mu        sync.Mutex
	listening bool
	cancel    context.CancelFunc
	done      chan struct{}

	// testConnected, when set, is called each time LISTEN is (re)established.
	testConnected func()
}

// NewBus returns a bus on db's NOTIFY channel. Call Start before relying on
// deliveries from other nodes, and Close when done.
func NewBus(db *DB) *Bus {
	b := &Bus{db: db, logger: db.logger, local: fanout.New()}
	// This node's own appends wake its subscribers at once, not after the
	// round trip through PostgreSQL.
	db.notify.local.Store(b.local)
	return b
}

// busBackoff bounds reconnection attempts.
const (
	busBackoffMin = 50 * time.Millisecond
	busBackoffMax = 5 * time.Second
)

// Start opens the listening connection and returns once LISTEN is active,
// so nothing published after Start returns is missed. It keeps reconnecting
// in the background until Close.
func (b *Bus) Start(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.listening {
		return nil
	}
	conn, err := b.listen(ctx)
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	b.cancel, b.done, b.listening = cancel, make(chan struct{}), true
	go b.run(runCtx, conn)
	return nil
}

func (b *Bus) listen(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, b.db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("bus: connect: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{b.db.channel}.Sanitize()); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("bus: listen: %w", err)
	}
	if b.testConnected != nil {
		b.testConnected()
	}
	return conn, nil
}

func (b *Bus) run(ctx context.Context, conn *pgx.Conn) {
	defer close(b.done)
	backoff := busBackoffMin
	for {
		err := b.receive(ctx, conn)
		conn.Close(context.Background())
		if ctx.Err() != nil {
			return
		}
		b.logger.Warn("bus: listening connection lost; reconnecting", "err", err)
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			conn, err = b.listen(ctx)
			if err == nil {
				break
			}
			backoff = min(backoff*2, busBackoffMax)
			b.logger.Warn("bus: reconnect failed", "err", err, "retry_in", backoff)
		}
		backoff = busBackoffMin
		b.logger.Info("bus: listening again; asking subscribers to resync")
		b.local.ResyncAll()
	}
}

func (b *Bus) receive(ctx context.Context, conn *pgx.Conn) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		topic, seq, ok := parsePayload(n.Payload)
		if !ok {
			b.logger.Warn("bus: ignoring malformed notification", "payload_len", len(n.Payload))
			continue
		}
		b.local.Publish(ctx, topic, seq)
	}
}

func parsePayload(p string) (topic string, seq int64, ok bool) {
	i := strings.LastIndexByte(p, ' ')
	if i <= 0 {
		return "", 0, false
	}
	seq, err := strconv.ParseInt(p[i+1:], 10, 64)
	if err != nil {
		return "", 0, false
	}
	return p[:i], seq, true
}

// Publish implements frontline.Bus: a NOTIFY that every node's listener
// receives (this node's included).
func (b *Bus) Publish(ctx context.Context, topic string, seq int64) error {
	return Notify(ctx, b.db, topic, seq)
}

// Notify sends a wake-up on db's channel. Inside a transaction, prefer
// notifying in the same transaction (see notifyTx) so it is sent on commit.
func Notify(ctx context.Context, db *DB, topic string, seq int64) error {
	if _, err := db.pool.Exec(ctx, "SELECT pg_notify($1, $2)", db.channel, topic+" "+strconv.FormatInt(seq, 10)); err != nil {
		return fmt.Errorf("bus: notify: %w", err)
	}
	return nil
}

// notifyTx queues a wake-up that PostgreSQL sends when tx commits.
func (db *DB) notifyTx(ctx context.Context, tx pgx.Tx, topic string, seq int64) error {
	_, err := tx.Exec(ctx, "SELECT pg_notify($1, $2)", db.channel, topic+" "+strconv.FormatInt(seq, 10))
	return err
}

// Subscribe implements frontline.Bus.
func (b *Bus) Subscribe(topic string) (<-chan frontline.Notification, func()) {
	return b.local.Subscribe(topic)
}

// Close stops listening and waits for the listener to exit.
func (b *Bus) Close() {
	b.mu.Lock()
	cancel, done := b.cancel, b.done
	b.listening = false
	b.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}
