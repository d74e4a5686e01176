package hj212

// The platform's side of the interactions of HJ 212-2017 §6.5: an upload
// is answered with 9014 when its Flag asks for an answer, a notification
// with 9013, and a request the platform sends is answered by the logger
// with 9011 (QnRtn, Table 7), then its data, then 9012 (ExeRtn, Table 6),
// which Decode reads like any frame: their QnRtn and ExeRtn are in
// Frame.CP, their QN is the request's.

// Ack returns the answer req asks for, or nil when it asks for none
// (Flag bit A is 0, or req is itself an answer, 9011–9014): NoticeAck for
// a notification (1013 time calibration; from 2025 loggers 1001 hardware
// SN, 1014 new key and 9015 heartbeat, which caoyiliang/HJ212 answers with
// 9013), DataAck for everything else a logger sends.
func Ack(req *Frame) []byte {
	if !req.WantsAck() {
		return nil
	}
	switch req.CN {
	case "9011", "9012", "9013", "9014":
		return nil
	case "1013", "1001", "1014", "9015":
		return NoticeAck(req)
	}
	return DataAck(req)
}

// DataAck is the data answer, CN 9014, to an upload whose Flag asks for
// one (App. C Table C.14): ST=91, the upload's QN, PW and MN, a Flag with
// the upload's version bits only (A=0, D=0) and an empty CP. Each part of
// a split upload gets its own (Table C.50).
func DataAck(req *Frame) []byte { return answer(req, "9014", false) }

// NoticeAck is the notification answer, CN 9013 (App. C Table C.11), built
// like DataAck. To a 2005 frame it puts the QN inside the CP, as HJ/T
// 212-2005 loggers write it (PROTOCOL.md §1.4).
func NoticeAck(req *Frame) []byte { return answer(req, "9013", req.Version == "2005") }

// HeartbeatAck answers a 2025 heartbeat (CN 9015) that asks for an answer.
// The 2025 text was not available (PROTOCOL.md §0); the one implementation
// of it, caoyiliang/HJ212, sends the heartbeat with A=1 by default and
// waits for a 9013 notification answer (GB.cs SendHeartbeat:
// RequestAsync<HeartbeatReq, CN9013Rsp>), so that is what this is.
func HeartbeatAck(req *Frame) []byte { return NoticeAck(req) }

func answer(req *Frame, cn string, qnInCP bool) []byte {
	a := &Frame{QN: req.QN, ST: "91", CN: cn, PW: req.PW, MN: req.MN, Flag: -1}
	if req.Flag >= 0 {
		a.Flag = req.Flag &^ 3
	}
	if qnInCP && req.QN != "" {
		a.QN, a.CP = "", []Field{{"QN", req.QN}}
	}
	return mustEncode(a)
}

// Request builds a request from the platform to a logger, such as 2061
// with BeginTime and EndTime to back-fill hourly data (App. C Table C.21),
// in the given version ("2005", "2017" or "2025") with Flag bit A set: the
// logger answers 9011, then the data, then 9012, all echoing qn (a
// YYYYMMDDhhmmsszzz id the caller makes unique; "" leaves QN out). It
// panics on an unknown version or a field that cannot be framed (";" or ","
// in a value), which are mistakes in the caller's code, not in data.
func Request(mn, pw, st, cn string, version string, qn string, cp []Field) []byte {
	bits, ok := versionBits[version]
	if !ok {
		panic("hj212: Request: unknown version " + version)
	}
	return mustEncode(&Frame{QN: qn, ST: st, CN: cn, PW: pw, MN: mn, Flag: bits | 1, CP: cp})
}

func mustEncode(f *Frame) []byte {
	b, err := Encode(f)
	if err != nil {
		panic(err)
	}
	return b
}
