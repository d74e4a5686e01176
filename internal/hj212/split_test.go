package hj212

import (
	"bufio"
	"bytes"
	"cmp"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// chunkReader returns its data in pieces of the given sizes, then the rest.
type chunkReader struct {
	data  []byte
	sizes []int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := len(r.data)
	if len(r.sizes) > 0 {
		n, r.sizes = min(r.sizes[0], n), r.sizes[1:]
	}
	n = copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

// tokens splits a stream read from r and returns its tokens, a garbage run
// as one "G:" token (SplitFrames may return it in pieces, depending on how
// the bytes arrive), a frame as "F:" and its bytes.
func tokens(t testing.TB, r io.Reader, maxFrame int) []string {
	t.Helper()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 16), cmp.Or(max(maxFrame, 0), maxData+12)) // the least SplitFrames needs
	sc.Split(SplitFrames(maxFrame))
	var out []string
	for sc.Scan() {
		out = appendToken(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// framerTokens is tokens through a Framer.
func framerTokens(t testing.TB, r io.Reader, maxFrame int) []string {
	t.Helper()
	fr := NewFramer(r, maxFrame)
	var out []string
	for {
		tok := fr.Next()
		if tok != nil {
			out = appendToken(out, string(tok))
			continue
		}
		if err := fr.Fill(); err == io.EOF {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
	}
}

func appendToken(out []string, tok string) []string {
	switch {
	case strings.HasPrefix(tok, "##"):
		out = append(out, "F:"+tok)
	case len(out) > 0 && strings.HasPrefix(out[len(out)-1], "G:"):
		out[len(out)-1] += tok
	default:
		out = append(out, "G:"+tok)
	}
	return out
}

func TestSplitFrames(t *testing.T) {
	a := string(mk(head + cp))
	b := string(mk("QN=20160801085857223;ST=91;CN=9014;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&&&"))
	noCRLF := strings.TrimSuffix(a, "\r\n")
	for _, tc := range []struct {
		name     string
		stream   string
		maxFrame int
		want     []string
	}{
		{"one", a, 0, []string{"F:" + a}},
		{"two in one read", a + b, 0, []string{"F:" + a, "F:" + b}},
		{"garbage first", "hello\r\n" + a, 0, []string{"G:hello\r\n", "F:" + a}},
		{"garbage between", a + "x#y" + b, 0, []string{"F:" + a, "G:x#y", "F:" + b}},
		{"length not digits", "##01A1xyz" + a, 0, []string{"G:##01A1xyz", "F:" + a}},
		{"extra #", "#" + a, 0, []string{"G:#", "F:" + a}},
		{"oversize", a + b, len(b), []string{"G:" + a, "F:" + b}},
		{"no CRLF", noCRLF + b, 0, []string{"G:" + noCRLF, "F:" + b}},
		{"half at EOF", a + b[:40], 0, []string{"F:" + a, "G:" + b[:40]}},
		{"lone # at EOF", a + "#", 0, []string{"F:" + a, "G:#"}},
		{"## at EOF", a + "##", 0, []string{"F:" + a, "G:##"}},
		{"header cut at EOF", "##01", 0, []string{"G:##01"}},
		{"empty", "", 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			readers := map[string]func() io.Reader{
				"whole":        func() io.Reader { return strings.NewReader(tc.stream) },
				"byte by byte": func() io.Reader { return iotest.OneByteReader(strings.NewReader(tc.stream)) },
			}
			for seed := range uint64(20) {
				r := rand.New(rand.NewPCG(seed, 7))
				var sizes []int
				for n := 0; n < len(tc.stream); n += sizes[len(sizes)-1] {
					sizes = append(sizes, 1+r.IntN(60))
				}
				readers["chunks "+string(rune('a'+seed))] = func() io.Reader {
					return &chunkReader{[]byte(tc.stream), sizes}
				}
			}
			for name, r := range readers {
				if got := tokens(t, r(), tc.maxFrame); !equal(got, tc.want) {
					t.Errorf("%s: got %q\nwant %q", name, got, tc.want)
				}
				if got := framerTokens(t, r(), tc.maxFrame); !equal(got, tc.want) {
					t.Errorf("%s, Framer: got %q\nwant %q", name, got, tc.want)
				}
			}
		})
	}
}

// TestSplitFramesLengthTooLong: a frame whose length says more than it
// has is given up at its CRLF, without waiting for bytes that may never
// come, and the frame after it is whole.
func TestSplitFramesLengthTooLong(t *testing.T) {
	a := mk(head + cp)
	b := mk("QN=20160801085857223;ST=91;CN=9014;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&&&")
	long := append([]byte("##0999"), a[6:]...)
	split := SplitFrames(0)
	data := append(long, b...)
	var got []string
	for len(data) > 0 {
		n, tok, err := split(data, false)
		if err != nil || n == 0 {
			t.Fatalf("after %q: n %d, err %v", got, n, err)
		}
		got = append(got, string(tok))
		data = data[n:]
	}
	if want := []string{"#", string(long[1:]), string(b)}; !equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func equal(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

// TestSplitFramesExamples streams every example frame with CRLF, as one
// TCP connection would carry them, cut at random.
func TestSplitFramesExamples(t *testing.T) {
	var stream bytes.Buffer
	var want []string
	for _, ex := range examples(t) {
		f := string(ex.frame) + "\r\n"
		stream.WriteString(f)
		switch ex.id {
		case "tonyxia-len1025", "tonyxia-len1623", // over 1036 bytes
			"xiaoyao-badlen",       // declares 1025 bytes, has 139: the next frame is not eaten
			"scair-missing-ampamp": // declares 2 bytes more than it has
			if n := len(want) - 1; n >= 0 && strings.HasPrefix(want[n], "G:") {
				want[n] += f
			} else {
				want = append(want, "G:"+f)
			}
		default:
			want = append(want, "F:"+f)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	var sizes []int
	for n := 0; n < stream.Len(); n += sizes[len(sizes)-1] {
		sizes = append(sizes, 1+r.IntN(300))
	}
	got := tokens(t, &chunkReader{stream.Bytes(), sizes}, 0)
	if !equal(got, want) {
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Fatalf("token %d: got %.80q…\nwant %.80q…", i, got[i], want[i])
			}
		}
		t.Fatalf("%d tokens, want %d", len(got), len(want))
	}
}
