package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"ecoindustry/internal/hj212"
)

// runHJ212 is `ecoind hj212 decode|encode`: HJ 212 frames to JSON lines and
// back, for looking at what loggers send and for making test frames.
//
// decode [--strict] [--modbus-crc] [FILE] reads one frame a line (CRLF
// optional) from FILE or standard input and writes one JSON object a
// frame, in order: the frame as hj212's JSON (json.go), or
// {"ok":false,"error":{"code":…,"message":…}}. Blank lines are skipped, so
// that a trailing newline or a blank separator is not a rejected frame. A
// rejected frame is output, not failure: the exit status is 0.
//
// encode [FILE] reads those objects, one a line, and writes one frame a
// line (with its CRLF); it stops at the first object that is no frame.
func runHJ212(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: want decode or encode", errUsage)
	}
	switch args[0] {
	case "decode":
		return hj212Decode(ctx, e, args[1:])
	case "encode":
		return hj212Encode(ctx, e, args[1:])
	}
	return fmt.Errorf("%w: unknown hj212 command %q: want decode or encode", errUsage, args[0])
}

func hj212Decode(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "hj212 decode", "[FILE]")
	var opt hj212.Options
	cm.fs.BoolVar(&opt.Strict, "strict", false, "accept only what HJ 212-2017 allows")
	cm.fs.BoolVar(&opt.ModbusCRC, "modbus-crc", false, "accept a Modbus CRC16 too (loggers configured for it)")
	in, err := cm.input(args)
	if err != nil {
		return err
	}
	defer in.Close()
	r := bufio.NewReader(in)
	w := bufio.NewWriter(e.stdout)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // CPs hold "&"
	for {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			if !bytes.HasSuffix(line, []byte("\r\n")) {
				line = bytes.TrimSuffix(line, []byte("\n"))
			}
			var out any
			if f, derr := hj212.Decode(line, opt); derr != nil {
				out = rejected{Error: derr.(*hj212.Error)}
			} else {
				out = f
			}
			if err := enc.Encode(out); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return w.Flush()
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

type rejected struct {
	OK    bool         `json:"ok"`
	Error *hj212.Error `json:"error"`
}

func hj212Encode(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "hj212 encode", "[FILE]")
	in, err := cm.input(args)
	if err != nil {
		return err
	}
	defer in.Close()
	d := json.NewDecoder(in)
	w := bufio.NewWriter(e.stdout)
	for n := 1; ; n++ {
		var f hj212.Frame
		if err := d.Decode(&f); err == io.EOF {
			return w.Flush()
		} else if err != nil {
			return fmt.Errorf("object %d: %w", n, err)
		}
		b, err := hj212.Encode(&f)
		if err != nil {
			return fmt.Errorf("object %d: %w", n, err)
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// input parses args and opens the FILE they name, or standard input
// without one.
func (c *cmd) input(args []string) (io.ReadCloser, error) {
	if err := c.parse(args); err != nil {
		return nil, err
	}
	if len(c.pos) == 1 {
		return os.Open(c.pos[0])
	}
	return io.NopCloser(c.stdin), nil
}
