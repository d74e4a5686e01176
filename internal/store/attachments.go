package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/compliance"
)

// Attachments implements compliance.Attachments: descriptions in the
// attachments table; content in files under a directory (the embedded
// store: <data>/attachments/ab/abcdef…, content-addressed) or, without
// one, in the table too (PostgreSQL, so that every server sees them).
type Attachments struct {
	db  *DB
	dir string
	now func() time.Time
}

var _ compliance.Attachments = (*Attachments)(nil)

// Attachments returns the store's attachments, their content in files
// under dir, or in the database if dir is "".
func (s *DB) Attachments(dir string) *Attachments {
	return &Attachments{db: s, dir: dir, now: time.Now}
}

func (a *Attachments) Put(ctx context.Context, name, claimedType string, r io.Reader) (compliance.Attachment, error) {
	in, err := compliance.NewIntake(name, claimedType, r)
	if err != nil {
		return compliance.Attachment{}, err
	}
	var content []byte
	var att compliance.Attachment
	if a.dir == "" {
		if content, err = io.ReadAll(in); err != nil {
			return att, err
		}
		if att, err = in.Done(); err != nil {
			return att, err
		}
	} else if att, err = a.putFile(in); err != nil {
		return att, err
	}
	att.At = a.now().UTC()
	var data any // NULL when the content is in a file
	if content != nil {
		data = content
	}
	err = a.db.Tx(ctx, func(c *Conn) error {
		_, err := c.ExecContext(ctx, `INSERT INTO attachments (id, name, type, size, at, data) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (id) DO NOTHING`, att.ID, att.Name, att.Type, att.Size, a.db.d.Time(att.At), data)
		return err
	})
	if err != nil {
		return att, fmt.Errorf("%s: put attachment: %w", a.db.d.Name, err)
	}
	stored, _, err := a.Stat(ctx, att.ID)
	return stored, err
}

// putFile writes the content to a temporary file, synced, then renames it
// to its content's name: a file under its final name is always whole.
func (a *Attachments) putFile(in *compliance.Intake) (compliance.Attachment, error) {
	if err := os.MkdirAll(a.dir, 0o750); err != nil {
		return compliance.Attachment{}, fmt.Errorf("attachments: %w", err)
	}
	f, err := os.CreateTemp(a.dir, ".upload-*")
	if err != nil {
		return compliance.Attachment{}, fmt.Errorf("attachments: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after the rename, nothing to remove
	_, err = io.Copy(f, in)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if apperr.As(err) == nil {
			err = fmt.Errorf("attachments: write: %w", err)
		}
		return compliance.Attachment{}, err
	}
	att, err := in.Done()
	if err != nil {
		return att, err
	}
	final := a.path(att.ID)
	if _, err := os.Stat(final); err == nil {
		return att, nil // the same content is there already
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return att, fmt.Errorf("attachments: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return att, fmt.Errorf("attachments: %w", err)
	}
	return att, syncDir(filepath.Dir(final))
}

func (a *Attachments) path(id string) string { return filepath.Join(a.dir, id[:2], id) }

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("attachments: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("attachments: sync %s: %w", dir, err)
	}
	return nil
}

func (a *Attachments) Stat(ctx context.Context, id string) (compliance.Attachment, bool, error) {
	if !compliance.ValidID(id) {
		return compliance.Attachment{}, false, nil
	}
	r := reader{q: plain{a.db.db}, d: a.db.d}
	as, err := list(ctx, r, "attachment", `SELECT id, name, type, size, at FROM attachments WHERE id = $1`, []any{id},
		func(rows *sql.Rows, att *compliance.Attachment) error {
			var at timestamp
			err := rows.Scan(&att.ID, &att.Name, &att.Type, &att.Size, &at)
			att.At = at.Time
			return err
		})
	if err != nil || len(as) == 0 {
		return compliance.Attachment{}, false, err
	}
	return as[0], true, nil
}

func (a *Attachments) Get(ctx context.Context, id string) (compliance.Attachment, io.ReadCloser, error) {
	att, ok, err := a.Stat(ctx, id)
	if err != nil {
		return att, nil, err
	}
	if !ok {
		return att, nil, apperr.Newf(apperr.NotFound, "no attachment %s", "无附件 %s", id)
	}
	if a.dir != "" {
		f, err := os.Open(a.path(id))
		if errors.Is(err, fs.ErrNotExist) {
			return att, nil, fmt.Errorf("attachments: %s is recorded but its file is missing from %s", id, a.dir)
		}
		return att, f, err
	}
	var content []byte
	if err := a.db.db.QueryRowContext(ctx, `SELECT data FROM attachments WHERE id = $1`, id).Scan(&content); err != nil {
		return att, nil, fmt.Errorf("%s: attachment %s: %w", a.db.d.Name, id, err)
	}
	return att, io.NopCloser(bytes.NewReader(content)), nil
}
