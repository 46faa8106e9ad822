package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/frontlinehq/frontline/handoff"
)

// SLA timers are River jobs (github.com/riverqueue/river): inserted in the
// transaction of the queue change that sets them, and completed in the
// transaction of their effect (see Update), so each fires once across
// nodes and restarts. Stale timers (an older epoch) complete with no
// effect.

// timerQueue is the River queue of SLA timers.
const timerQueue = "frontline_sla"

type timerArgs struct {
	handoff.Timer
}

func (timerArgs) Kind() string { return "frontline_sla_timer" }

// dueWhenScheduled inserts timers as available jobs whose scheduled_at is
// in the future. River's fetch takes only jobs with scheduled_at <= now,
// so they run when due; but a "scheduled" job waits for River's scheduler,
// which promotes due jobs only every 5 s (not configurable), and the SLA
// must act within a second of its deadline.
type dueWhenScheduled struct {
	river.JobInsertMiddlewareDefaults
}

func (dueWhenScheduled) InsertMany(ctx context.Context, many []*rivertype.JobInsertParams, doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	for _, p := range many {
		if p.Kind == (timerArgs{}).Kind() && p.State == rivertype.JobStateScheduled {
			p.State = rivertype.JobStateAvailable
		}
	}
	return doInner(ctx)
}

// timerInserter is an insert-only River client, made on first use.
type timerInserter struct {
	db     *DB
	once   sync.Once
	client *river.Client[pgx.Tx]
	err    error
}

func newTimerInserter(db *DB) *timerInserter { return &timerInserter{db: db} }

func (ti *timerInserter) insert(ctx context.Context, tx pgx.Tx, timers []handoff.Timer) error {
	if len(timers) == 0 {
		return nil
	}
	ti.once.Do(func() {
		ti.client, ti.err = river.NewClient(riverpgxv5.New(ti.db.pool), &river.Config{
			Schema: ti.db.schema, Middleware: []rivertype.Middleware{&dueWhenScheduled{}},
			Logger: quietRiver(ti.db.logger),
		})
	})
	if ti.err != nil {
		return fmt.Errorf("sla timers: %w", ti.err)
	}
	params := make([]river.InsertManyParams, len(timers))
	for i, t := range timers {
		params[i] = river.InsertManyParams{Args: timerArgs{t}, InsertOpts: &river.InsertOpts{Queue: timerQueue, ScheduledAt: t.At}}
	}
	if _, err := ti.client.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("sla timers: insert: %w", err)
	}
	return nil
}

// completeFiring completes, in tx, the River job being worked (see
// TimerRunner), if ctx carries one.
func completeFiring(ctx context.Context, tx pgx.Tx) error {
	job, ok := handoff.FiringFromContext(ctx).(*river.Job[timerArgs])
	if !ok {
		return nil
	}
	if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job); err != nil {
		return fmt.Errorf("complete sla timer: %w", err)
	}
	return nil
}

// TimerOptions tune a TimerRunner.
type TimerOptions struct {
	// Now is the clock deciding which timers are due; nil is the
	// database's clock. Tests move it.
	Now func() time.Time
	// PollInterval is how often due timers are looked for; default 200 ms.
	PollInterval time.Duration
	// Workers bounds the timers fired at once; default 10.
	Workers int
	Logger  *slog.Logger
	// Periodic is other durable work this node's River client runs on a
	// schedule (retention). River's leader (one node at a time) inserts
	// each job once per period, unique by period, so it runs once across
	// the cluster; a node killed mid-run leaves it to River's rescuer.
	// Every node should be given the same list: whichever node leads
	// schedules it.
	Periodic []Periodic
}

// Periodic is a job run every Every (and once at start-up) on one node.
type Periodic struct {
	// Name identifies the job across nodes and restarts.
	Name  string
	Every time.Duration
	Run   func(context.Context) error
}

// periodicQueue is the River queue of periodic jobs: one at a time per node.
const periodicQueue = "frontline_periodic"

type periodicArgs struct {
	Name string `json:"name"`
}

func (periodicArgs) Kind() string { return "frontline_periodic" }

type periodicWorker struct {
	river.WorkerDefaults[periodicArgs]
	jobs map[string]Periodic
}

// Timeout lifts the timers' 30 s limit: a sweep works in short
// transactions for as long as the backlog takes. (Past River's stuck-job
// rescue a second node may join it; each batch skips rows another holds.)
func (w *periodicWorker) Timeout(*river.Job[periodicArgs]) time.Duration { return -1 }

func (w *periodicWorker) Work(ctx context.Context, job *river.Job[periodicArgs]) error {
	p, ok := w.jobs[job.Args.Name]
	if !ok {
		// Scheduled by a node that knows a job this one does not (an
		// older or newer binary): leave it to River's retries.
		return fmt.Errorf("periodic job %q is not known to this node", job.Args.Name)
	}
	return p.Run(ctx)
}

var _ handoff.TimerRunner = (*TimerRunner)(nil)

// TimerRunner fires due SLA timers on this node: a River client working
// the timer queue. Any number of nodes may run one; River gives each job
// to one of them.
type TimerRunner struct {
	db     *DB
	opts   TimerOptions
	client *river.Client[pgx.Tx]
}

// NewTimerRunner returns a runner on db.
func NewTimerRunner(db *DB, opts TimerOptions) *TimerRunner {
	if opts.PollInterval <= 0 {
		opts.PollInterval = 200 * time.Millisecond
	}
	if opts.Workers <= 0 {
		opts.Workers = 10
	}
	if opts.Logger == nil {
		opts.Logger = db.logger
	}
	return &TimerRunner{db: db, opts: opts}
}

type timerWorker struct {
	river.WorkerDefaults[timerArgs]
	fire func(context.Context, handoff.Timer) error
}

func (w *timerWorker) Work(ctx context.Context, job *river.Job[timerArgs]) error {
	return w.fire(handoff.ContextWithFiring(ctx, job), job.Args.Timer)
}

// clock is River's time generator on TimerOptions.Now.
type clock struct{ now func() time.Time }

func (c clock) Now() time.Time { return c.now() }
func (c clock) NowOrNil() *time.Time {
	t := c.now()
	return &t
}

// Start implements handoff.TimerRunner.
func (r *TimerRunner) Start(ctx context.Context, fire func(context.Context, handoff.Timer) error) error {
	workers := river.NewWorkers()
	river.AddWorker(workers, &timerWorker{fire: fire})
	queues := map[string]river.QueueConfig{timerQueue: {MaxWorkers: r.opts.Workers}}
	var periodic []*river.PeriodicJob
	if len(r.opts.Periodic) > 0 {
		jobs := map[string]Periodic{}
		for _, p := range r.opts.Periodic {
			if p.Name == "" || p.Every <= 0 || p.Run == nil {
				return fmt.Errorf("periodic job %q: needs a name, a period and a function", p.Name)
			}
			jobs[p.Name] = p
			periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(p.Every), func() (river.JobArgs, *river.InsertOpts) {
				return periodicArgs{Name: p.Name}, &river.InsertOpts{Queue: periodicQueue, MaxAttempts: 3,
					UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: p.Every}}
			}, &river.PeriodicJobOpts{ID: p.Name, RunOnStart: true}))
		}
		river.AddWorker(workers, &periodicWorker{jobs: jobs})
		queues[periodicQueue] = river.QueueConfig{MaxWorkers: 1}
	}
	cfg := &river.Config{
		Schema:               r.db.schema,
		Queues:               queues,
		PeriodicJobs:         periodic,
		Workers:              workers,
		FetchCooldown:        min(r.opts.PollInterval/2, 100*time.Millisecond),
		FetchPollInterval:    r.opts.PollInterval,
		JobTimeout:           30 * time.Second,
		RescueStuckJobsAfter: time.Minute, // a node killed mid-fire: another fires it
		Middleware:           []rivertype.Middleware{&dueWhenScheduled{}},
		Logger:               quietRiver(r.opts.Logger),
	}
	if r.opts.Now != nil {
		cfg.Test.Time = clock{r.opts.Now}
	}
	client, err := river.NewClient(riverpgxv5.New(r.db.pool), cfg)
	if err != nil {
		return fmt.Errorf("sla timers: %w", err)
	}
	if err := client.Start(ctx); err != nil {
		return fmt.Errorf("sla timers: start: %w", err)
	}
	r.client = client
	return nil
}

// Stop implements handoff.TimerRunner: timers being fired finish first.
func (r *TimerRunner) Stop(ctx context.Context) error {
	if r.client == nil {
		return nil
	}
	return r.client.Stop(ctx)
}

// quietRiver keeps River's info chatter out of the product's logs.
func quietRiver(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(levelAtLeast{l.Handler(), slog.LevelWarn})
}

type levelAtLeast struct {
	slog.Handler
	min slog.Level
}

func (h levelAtLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

// migrateRiver applies River's own migrations in the same schema as ours
// (`frontline migrate` runs both; River's version table is river_migration).
func (db *DB) migrateRiver(ctx context.Context) error {
	m, err := rivermigrate.New(riverpgxv5.New(db.pool), &rivermigrate.Config{Schema: db.schema, Logger: quietRiver(db.logger)})
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return nil
}

// checkRiver reports whether River's migrations are all applied.
func (db *DB) checkRiver(ctx context.Context) error {
	m, err := rivermigrate.New(riverpgxv5.New(db.pool), &rivermigrate.Config{Schema: db.schema, Logger: quietRiver(db.logger)})
	if err != nil {
		return err
	}
	res, err := m.Validate(ctx, nil)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	if !res.OK {
		return fmt.Errorf("database schema lacks River's migrations (%v): run `frontline migrate` (or serve with --migrate)", res.Messages)
	}
	return nil
}
