package hj212

import (
	"strings"
	"testing"
	"time"
)

func TestReplies(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  []byte
		want string
	}{
		// App. C: the data answer to C.14's upload, and to part 1 of C.50.
		{"DataAck C.14", DataAck(decoded(t, "std-C14-2011")), exampleFrame(t, "std-C14-9014")},
		{"DataAck C.50", DataAck(decoded(t, "std-C50-2061-p1")), exampleFrame(t, "std-C50-9014-p1")},
		{"NoticeAck C.11", NoticeAck(decoded(t, "std-C1-1000")), exampleFrame(t, "std-C11-9013")},
		{"Request C.21", Request("010000A8900016F000169DC0", "123456", "32", "2061", "2017", "20160801085857223",
			[]Field{{"BeginTime", "20160801080000"}, {"EndTime", "20160801080000"}}), exampleFrame(t, "std-C21-2061req")},
		{"Ack of an upload", Ack(decoded(t, "std-C14-2011")), exampleFrame(t, "std-C14-9014")},
	} {
		if string(tc.got) != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestAck(t *testing.T) {
	beat := &Frame{QN: "20260130101010123", ST: "31", CN: "9015", PW: "123456", MN: "m", Flag: 9}
	for _, tc := range []struct {
		name   string
		req    *Frame
		wantCN string // "" for no answer
		flag   string
	}{
		{"heartbeat", beat, "9013", "Flag=8;"},
		{"heartbeat without A", &Frame{CN: "9015", Flag: 8}, "", ""},
		{"time calibration", &Frame{CN: "1013", MN: "m", Flag: 5}, "9013", "Flag=4;"},
		{"hourly, split", &Frame{CN: "2061", MN: "m", Flag: 7, PNUM: 2, PNO: 1}, "9014", "Flag=4;"},
		{"an answer", &Frame{CN: "9014", Flag: 5}, "", ""},
		{"2005 upload without Flag", &Frame{CN: "2011", Flag: -1}, "", ""},
	} {
		got := Ack(tc.req)
		if tc.wantCN == "" {
			if got != nil {
				t.Errorf("%s: %s", tc.name, got)
			}
			continue
		}
		f, err := Decode(got, Options{})
		if err != nil || f.CN != tc.wantCN || f.ST != "91" || !strings.Contains(string(got), tc.flag) {
			t.Errorf("%s: %s %v", tc.name, got, err)
		}
	}
	if got, want := HeartbeatAck(beat), NoticeAck(beat); string(got) != string(want) {
		t.Errorf("heartbeat answer %s, want %s", got, want)
	}
	// To a 2005 notification the QN goes inside the CP.
	f, _ := Decode(NoticeAck(&Frame{QN: "20170516010101001", ST: "22", CN: "1013", PW: "1", MN: "m", Flag: 1, Version: "2005"}), Options{})
	if f.QN != "" || len(f.CP) != 1 || f.CP[0] != (Field{"QN", "20170516010101001"}) || f.Flag != 0 {
		t.Errorf("2005 9013: %+v", f)
	}
}

func TestRequest2005(t *testing.T) {
	b := Request("m", "123456", "32", "2061", "2005", "", []Field{{"BeginTime", "20160801080000"}, {"EndTime", "20160801090000"}})
	if want := "ST=32;CN=2061;PW=123456;MN=m;Flag=1;CP=&&BeginTime=20160801080000,EndTime=20160801090000&&"; !strings.Contains(string(b), want) {
		t.Errorf("got %s, want it to hold %s", b, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("no panic on an unknown version")
		}
	}()
	Request("m", "1", "32", "2061", "2018", "", nil)
}

// TestAnswers reads the logger's answers to a request: QnRtn and ExeRtn
// are CP fields.
func TestAnswers(t *testing.T) {
	if f := decoded(t, "std-C1-9011"); f.CP[0] != (Field{"QnRtn", "1"}) || f.QN != "20160801085857223" {
		t.Errorf("9011: %+v", f)
	}
	if f := decoded(t, "std-C1-9012"); f.CP[0] != (Field{"ExeRtn", "1"}) {
		t.Errorf("9012: %+v", f)
	}
}

func TestReassembler(t *testing.T) {
	p1, p2 := decoded(t, "std-C49-2061-p1"), decoded(t, "std-C49-2061-p2")
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	for name, parts := range map[string][]*Frame{
		"in order":        {p1, p2},
		"reversed":        {p2, p1},
		"with duplicates": {p2, p2, p1},
	} {
		r := NewReassembler(10)
		var joined *Frame
		for i, p := range parts {
			j := r.Add(p, now)
			if i < len(parts)-1 && j != nil {
				t.Fatalf("%s: joined after %d parts", name, i+1)
			}
			joined = j
		}
		if joined == nil || r.Pending() != 0 {
			t.Fatalf("%s: not joined", name)
		}
		if joined.PNUM != 0 || joined.PNO != 0 || joined.Flag != 4 || joined.QN != p1.QN || joined.DataLen != 260+201 ||
			len(joined.Values) != len(p1.Values)+len(p2.Values) || joined.Values[0].Code != "w00000" || joined.Values[9].Code != "w01018" {
			t.Errorf("%s: %+v", name, joined)
		}
	}

	r := NewReassembler(2)
	if f := decoded(t, "std-C14-2011"); r.Add(f, now) != f {
		t.Error("a frame that is not split does not come straight back")
	}
	// Three packets' first parts: the oldest is dropped for the third.
	for i, mn := range []string{"a", "b", "c"} {
		p := *p1
		p.MN = mn
		r.Add(&p, now.Add(time.Duration(i)*time.Minute))
	}
	if r.Pending() != 2 || r.Evicted() != 1 {
		t.Errorf("pending %d, evicted %d", r.Pending(), r.Evicted())
	}
	q := *p2
	q.MN = "a" // its packet was dropped: this part starts a new one
	if r.Add(&q, now) != nil || r.Evicted() != 2 {
		t.Errorf("evicted %d", r.Evicted())
	}
	// b was dropped for it; a (now) goes, c (2 minutes) stays.
	if n := r.Expire(now.Add(90 * time.Second)); n != 1 || r.Pending() != 1 {
		t.Errorf("expired %d, pending %d", n, r.Pending())
	}
}
