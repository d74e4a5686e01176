package compliance

import (
	"context"
	"errors"
	"io"
	"time"

	"ecoindustry/internal/registry"
)

// Reader is what the rectification reads from its store.
type Reader interface {
	Campaigns(ctx context.Context) ([]Campaign, error)
	// Campaign returns the campaign with that id, and whether there is one.
	Campaign(ctx context.Context, id int64) (Campaign, bool, error)
	// Cases returns one page of the filtered cases, by id, and the total.
	Cases(ctx context.Context, f CaseFilter) ([]Case, int, error)
	Case(ctx context.Context, id int64) (Case, bool, error)
	// Summaries returns a campaign's cases, their own columns only, by id.
	Summaries(ctx context.Context, campaign int64) ([]Summary, error)
	// Tally counts a campaign's cases (all but InScope and the rates) by
	// county and industry division as of a date, and by month, as the
	// fields of Counts and Month define: those of one county, or ("") all.
	Tally(ctx context.Context, campaign int64, asOf, county string) ([]Cell, []Month, error)
	Events(ctx context.Context, caseID int64) ([]Event, error)
	Runs(ctx context.Context) ([]Run, error)
	Run(ctx context.Context, id int64) (Run, bool, error)
	// LatestSurvey returns the newest run of a campaign's surveys.
	LatestSurvey(ctx context.Context, campaign int64) (Run, bool, error)
	Candidates(ctx context.Context, run int64) ([]Candidate, error)
	// Watched returns the cases of carried-out closures that are not
	// dismissed: the enterprises whose data loggers should be silent.
	Watched(ctx context.Context) ([]Watch, error)
}

// Cell is the counts of one county and GB/T 4754 division.
type Cell struct {
	County, Division string
	Counts           Counts
}

// Watch is a case whose enterprise was closed by it.
type Watch struct {
	Case int64
	USCC string
}

// Tx is one transaction over the rectification's tables and the registry.
type Tx interface {
	Reader
	// Registry is the registry inside this transaction: a case's
	// consequence for its enterprise commits or rolls back with the case.
	Registry() registry.Store
	// AddRun stores a screening run and its candidates and returns its id.
	AddRun(ctx context.Context, r Run, cands []Candidate) (int64, error)
	AddCampaign(ctx context.Context, c Campaign) (int64, error)
	// UpdateCampaign writes c if its stored version is still version,
	// storing it as version+1; otherwise it returns ErrStale.
	UpdateCampaign(ctx context.Context, c Campaign, version int) error
	// LockCampaign makes concurrent surveys of one campaign take turns.
	LockCampaign(ctx context.Context, id int64) error
	// AddCases stores new cases (their ID ignored) and returns their ids in order.
	AddCases(ctx context.Context, cs []Case) ([]int64, error)
	// UpdateCase writes c (all but its relapse evidence) if its stored
	// version is still version, storing it as c.Version; otherwise it
	// returns ErrStale.
	UpdateCase(ctx context.Context, c Case, version int) error
	// AddEvidence counts n more pieces of relapse evidence, the latest
	// seen at at; first restarts the count at n.
	AddEvidence(ctx context.Context, caseID int64, n int, at time.Time, first bool) error
	AddEvents(ctx context.Context, es []Event) error
}

// Store is the rectification's storage, beside the registry it reads in
// bulk for screening. store/sqlite and store/postgres implement it, held
// to one behaviour by store/storetest.RunCompliance.
type Store interface {
	registry.Reader
	Reader
	// Records reads what screening needs of the whole registry at once.
	Records(ctx context.Context) (*Records, error)
	// UpdateCompliance runs fn in one transaction, committed if fn returns nil.
	UpdateCompliance(ctx context.Context, fn func(Tx) error) error
}

// ErrStale is what a store returns when a version check fails.
var ErrStale = errors.New("compliance: stale version")

// CaseFilter selects cases; zero fields match all.
type CaseFilter struct {
	Campaign    int64
	USCC        string
	County      string
	Township    string
	State       State
	Disposition Disposition
	Assignee    string
	Limit       int // 0: all
	Offset      int
}

// Attachments keeps photos and scanned documents by content. Put reads
// r whole (up to MaxAttachment bytes), refuses content whose type is not
// claimedType or not one of AttachmentTypes, and returns the stored
// attachment; the same content stored twice is one attachment, with the
// name it was first given. The embedded store keeps files in the data
// directory, PostgreSQL a table, so that several servers share them.
type Attachments interface {
	Put(ctx context.Context, name, claimedType string, r io.Reader) (Attachment, error)
	// Get returns an attachment and its content; the caller closes it.
	Get(ctx context.Context, id string) (Attachment, io.ReadCloser, error)
	// Stat returns an attachment's description, and whether it exists.
	Stat(ctx context.Context, id string) (Attachment, bool, error)
}
