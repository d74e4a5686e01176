package hj212

// Reason codes: why Decode rejected a frame (Error.Code) or what it let pass
// in lenient mode (Warning.Code). They are stable: logs, metrics and the
// JSON of `ecoind hj212 decode` carry them.
//
// Rejected in both modes, because what follows cannot be trusted or read:
//
//	code               meaning
//	bad_header         no "##", or the length field is not 4 digits (§6.3, Table 2)
//	bad_length         the declared length is not the number of bytes between it and the CRC
//	bad_crc_format     the CRC is not 4 hex digits
//	crc_mismatch       the CRC is not the Appendix A CRC of the data segment (nor, with
//	                   Options.ModbusCRC, a Modbus one)
//	bad_cp             no CP=&&…&& ending the data segment
//	duplicate_field    a Table 3 field (QN, ST, CN, PW, MN, Flag, PNUM, PNO) twice
//	missing_st         no ST
//	missing_cn         no CN
//	missing_mn         no MN
//	bad_flag           Flag is not an integer 0–255
//	bad_pnum           PNUM and PNO are not integers with 1 ≤ PNO ≤ PNUM ≤ 9999, or one is missing
//	bad_datatime       DataTime is not YYYYMMDDhhmmss[zzz] of a real time after 1900
//
// Accepted with a Warning in lenient mode, rejected in strict mode with an
// Error of the same code:
//
//	code                 meaning
//	lowercase_crc        the CRC is in lowercase hex
//	modbus_crc           the CRC is Modbus CRC16, plain or low byte first; only with
//	                     Options.ModbusCRC, and then accepted in strict mode too: the
//	                     option says this logger is known to send it
//	bare_lf              the frame ends in LF without CR
//	data_too_long        the data segment is over 1024 bytes (Table 2)
//	gbk_text             the data segment is not UTF-8 (§6.3) and was read as GB18030
//	missing_separator    no ";" before CP= (the "Flag=5CP=" typo of Table C.19)
//	comma_separator      "," instead of ";" between Table 3 fields (Tables C.22, C.48)
//	spaces               spaces around a key or value ("CP=&& PolId=", "i12003-Info =0")
//	field_skipped        an empty data-segment field, or one without "=": dropped
//	field_order          Table 3 fields out of their order
//	pno_before_pnum      PNO before PNUM
//	padded_pno           PNUM or PNO with leading zeros ("PNO=0002")
//	unknown_field        a data-segment field Table 3 does not name (kept in Frame.Extra)
//	missing_qn           no QN (2005 style)
//	bad_qn               QN is not 17 digits (YYYYMMDDhhmmsszzz)
//	missing_pw           no PW
//	missing_flag         no Flag: read as HJ/T 212-2005
//	unknown_version      Flag's version bits are not 0 (2005), 1 (2017) or 2 (2025)
//	split_flag_mismatch  Flag bit D disagrees with the presence of PNUM/PNO
//	unknown_st           ST is not in Table 5
//	unknown_cn           CN is not in Table 9, nor a 2005 or 2025 command
//	cp_item_skipped      an empty CP item, one without "=" or a key, or a second DataTime: dropped
//	mixed_group          items of different pollutants or fields in one ","-joined group (§6.3.3)
//	comma_begin_end      "BeginTime=…,EndTime=…" in a 2017 or 2025 frame (the 2005 form)
//	datatime_millis      DataTime with milliseconds (17 digits)
//	unknown_cp_field     a CP field the standard does not name (kept in Frame.CP)
//	unknown_suffix       a pollutant field such as a01006-ValidNum that Table 4 does not name
//	                     (kept in Frame.Values)
//	bad_number           a numeric pollutant field that is not a decimal number (kept as text)
//	unknown_flag_value   a data flag not in Table 8
//	code_2005            a 2005 pollutant code in a 2017 or 2025 frame (mapped all the same)
//
// A frame without CRLF is not a deviation Decode reports: files and tests
// hold frames without it, and on the wire SplitFrames only returns frames
// that end in CRLF.
const (
	reasonBadHeader     = "bad_header"
	reasonBadLength     = "bad_length"
	reasonBadCRCFormat  = "bad_crc_format"
	reasonCRCMismatch   = "crc_mismatch"
	reasonBadCP         = "bad_cp"
	reasonDuplicate     = "duplicate_field"
	reasonMissingST     = "missing_st"
	reasonMissingCN     = "missing_cn"
	reasonMissingMN     = "missing_mn"
	reasonBadFlag       = "bad_flag"
	reasonBadPNUM       = "bad_pnum"
	reasonBadDataTime   = "bad_datatime"
	reasonLowercaseCRC  = "lowercase_crc"
	reasonModbusCRC     = "modbus_crc"
	reasonBareLF        = "bare_lf"
	reasonTooLong       = "data_too_long"
	reasonGBK           = "gbk_text"
	reasonNoSeparator   = "missing_separator"
	reasonComma         = "comma_separator"
	reasonSpaces        = "spaces"
	reasonFieldSkipped  = "field_skipped"
	reasonFieldOrder    = "field_order"
	reasonPNOFirst      = "pno_before_pnum"
	reasonPaddedPNO     = "padded_pno"
	reasonUnknownField  = "unknown_field"
	reasonMissingQN     = "missing_qn"
	reasonBadQN         = "bad_qn"
	reasonMissingPW     = "missing_pw"
	reasonMissingFlag   = "missing_flag"
	reasonVersion       = "unknown_version"
	reasonSplitFlag     = "split_flag_mismatch"
	reasonUnknownST     = "unknown_st"
	reasonUnknownCN     = "unknown_cn"
	reasonItemSkipped   = "cp_item_skipped"
	reasonMixedGroup    = "mixed_group"
	reasonCommaBeginEnd = "comma_begin_end"
	reasonMillis        = "datatime_millis"
	reasonUnknownCP     = "unknown_cp_field"
	reasonUnknownSuffix = "unknown_suffix"
	reasonBadNumber     = "bad_number"
	reasonUnknownFlag   = "unknown_flag_value"
	reasonCode2005      = "code_2005"
)
