package hj212

import "encoding/binary"

// CodeName is one row of a code table of the standard.
type CodeName struct {
	Code   string
	Name   string // Chinese, as the standard words it
	NameEn string
}

// SystemCodes are the ST values of HJ 212-2017 Table 5 (which cites
// GB/T 16706-1996): 2x environmental quality, 3x–4x pollution sources, 5x
// process monitoring, 91 system interaction (PROTOCOL.md §1.3). The
// Chinese names are those of caoyiliang/HJ212 Enum.cs.
var SystemCodes = []CodeName{
	{"21", "地表水质量监测", "surface-water quality"},
	{"22", "空气质量监测", "ambient-air quality"},
	{"23", "声环境质量监测", "acoustic-environment quality"},
	{"24", "地下水质量监测", "groundwater quality"},
	{"25", "土壤质量监测", "soil quality"},
	{"26", "海水质量监测", "sea-water quality"},
	{"27", "挥发性有机物监测", "VOC monitoring"},
	{"31", "大气环境污染源", "air pollution source"},
	{"32", "地表水体环境污染源", "surface-water pollution source"},
	{"33", "地下水体环境污染源", "groundwater pollution source"},
	{"34", "海洋环境污染源", "marine pollution source"},
	{"35", "土壤环境污染源", "soil pollution source"},
	{"36", "声环境污染源", "noise source"},
	{"37", "振动环境污染源", "vibration source"},
	{"38", "放射性环境污染源", "radioactive source"},
	{"39", "工地扬尘污染源", "construction-site dust"},
	{"41", "电磁环境污染源", "electromagnetic source"},
	{"51", "烟气排放过程监控", "flue-gas process monitoring"},
	{"52", "污水排放过程监控", "wastewater process monitoring"},
	{"91", "系统交互", "system interaction"},
}

// CommandCodes are the CN values of HJ 212-2017 Table 9, the HJ/T 212-2005
// commands 2017 removed, and the commands HJ 212-2025 added as
// caoyiliang/HJ212 implements them (PROTOCOL.md §0, §1.4). 1001 means one
// thing in 2005 and another in 2025. The Chinese names are those of
// caoyiliang/HJ212 Enum.cs, except the 2005 ones, which are recalled and
// not checked against the 2005 text.
var CommandCodes = []CodeName{
	{"1000", "设置超时时间及重发次数", "set timeout and retries"},
	{"1001", "上传数采仪硬件序号（2025）；设置报警时间（2005）", "upload data-logger hardware SN (2025); alarm time WarnTime (2005)"},
	{"1002", "设置数采仪MN编码（2025）", "set MN (2025)"},
	{"1011", "提取/上传现场机时间", "get / upload device time"},
	{"1012", "设置现场机时间", "set device time"},
	{"1013", "现场机时间校准请求", "device asks for time calibration"},
	{"1014", "获取/下发新密钥（2025）", "request / issue a new key SK (2025)"},
	{"1021", "提取污染物报警门限值（2005）", "get alarm thresholds (2005)"},
	{"1022", "设置污染物报警门限值（2005）", "set alarm thresholds (2005)"},
	{"1031", "提取上位机地址（2005）", "get platform address (2005)"},
	{"1032", "设置上位机地址（2005）", "set platform address (2005)"},
	{"1041", "提取数据上报时间（2005）", "get report time (2005)"},
	{"1042", "设置数据上报时间（2005）", "set report time (2005)"},
	{"1061", "提取/上传实时数据间隔", "get / upload real-time data interval"},
	{"1062", "设置实时数据间隔", "set real-time data interval"},
	{"1063", "提取/上传分钟数据间隔", "get / upload minute-data interval"},
	{"1064", "设置分钟数据间隔", "set minute-data interval"},
	{"1072", "设置现场机访问密码", "set password"},
	{"2011", "取/上传污染物实时数据", "real-time data"},
	{"2012", "停止察看污染物实时数据", "stop real-time data"},
	{"2013", "取/上传原始监测数据（2025）", "raw monitoring data (2025)"},
	{"2021", "取/上传设备运行状态数据", "equipment running state"},
	{"2022", "停止察看设备运行状态", "stop equipment running state"},
	{"2031", "取/上传污染物日历史数据", "daily data"},
	{"2041", "取/上传设备运行时间日历史数据", "equipment running-time daily data"},
	{"2051", "取/上传污染物分钟数据", "minute data"},
	{"2052", "取/上传噪声单次测量数据（2025）", "single noise measurement (2025)"},
	{"2061", "取/上传污染物小时数据", "hourly data"},
	{"2062", "取/上传自动标样核查校准数据（2025）", "automatic standard-sample check data (2025)"},
	{"2071", "取污染物报警记录（2005）", "alarm records (2005)"},
	{"2072", "上传污染物报警事件（2005）", "alarm event (2005)"},
	{"2081", "上传数采仪开机时间", "data-logger start-up time"},
	{"2111", "上传炉膛温度5min均值（2025）", "furnace temperature 5-minute mean (2025)"},
	{"3011", "零点校准量程校准", "zero / span calibration"},
	{"3012", "即时采样", "immediate sampling"},
	{"3013", "启动清洗/反吹", "cleaning / blow-back"},
	{"3014", "比对采样", "comparison sampling"},
	{"3015", "超标留样", "over-limit sample retention"},
	{"3016", "设置采样时间周期", "set sampling cycle"},
	{"3017", "提取采样时间周期", "get sampling cycle"},
	{"3018", "提取出样时间", "get sample-output time"},
	{"3019", "提取设备唯一标识", "get instrument SN"},
	{"3020", "提取现场机信息", "get field information"},
	{"3021", "设置现场机参数", "set field parameters"},
	{"3022", "下发即时留样任务（2025）", "immediate sample-retention task (2025)"},
	{"3024", "启动标样核查（2025）", "start standard-sample check (2025)"},
	{"9011", "请求应答", "request answer"},
	{"9012", "执行结果", "execution result"},
	{"9013", "通知应答", "notification answer"},
	{"9014", "数据应答", "data answer"},
	{"9015", "心跳包（2025）", "heartbeat (2025)"},
}

// DataFlags are the data flags of HJ 212-2017 Table 8 (PROTOCOL.md §1.7;
// the Chinese wording is recalled, not checked against the text).
// Exceedance logic uses N data only.
var DataFlags = []CodeName{
	{"N", "在线监控（监测）仪器仪表工作正常", "normal"},
	{"F", "在线监控（监测）仪器仪表停运", "instrument stopped"},
	{"M", "在线监控（监测）仪器仪表处于维护期间产生的数据", "maintenance"},
	{"S", "手工输入的设定值", "manually entered set value"},
	{"D", "在线监控（监测）仪器仪表故障", "instrument fault"},
	{"C", "在线监控（监测）仪器仪表处于校准状态", "calibration"},
	{"T", "在线监控（监测）仪器仪表采样数值超过测量上限", "over the upper measuring limit"},
	{"B", "在线监控（监测）仪器仪表与数采仪通讯异常", "communication failure with the data logger"},
}

var (
	byST   = index(SystemCodes)
	byCN   = index(CommandCodes)
	byFlag = index(DataFlags)

	// The decoder's look-ups, which return the tables' own strings.
	stSet = newCodeSet(codesOf(SystemCodes))
	cnSet = newCodeSet(codesOf(CommandCodes))
)

func codesOf(t []CodeName) []string {
	s := make([]string, len(t))
	for i, c := range t {
		s[i] = c.Code
	}
	return s
}

func index(t []CodeName) map[string]CodeName {
	m := make(map[string]CodeName, len(t))
	for _, c := range t {
		m[c.Code] = c
	}
	return m
}

// LookupST returns the system code st of Table 5.
func LookupST(st string) (CodeName, bool) { c, ok := byST[st]; return c, ok }

// LookupCN returns the command code cn.
func LookupCN(cn string) (CodeName, bool) { c, ok := byCN[cn]; return c, ok }

// LookupDataFlag returns the data flag of Table 8.
func LookupDataFlag(flag string) (CodeName, bool) { c, ok := byFlag[flag]; return c, ok }

// cpFields are the CP fields that are not per pollutant, as HJ 212-2017
// Table 4 and App. C use them, plus QN inside the CP of a 2005 9013
// (PROTOCOL.md §1.4, §1.6); each maps to itself, so that a decoded Field
// keeps the table's string.
var cpFields = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"DataTime", "BeginTime", "EndTime", "SystemTime", "RestartTime", "QnRtn", "ExeRtn",
		"RtdInterval", "MinInterval", "PolId", "InfoId", "NewPW", "OverTime", "ReCount", "VaseNo", "CstartTime",
		"Ctime", "Stime", "QN"} {
		m[k] = k
	}
	return m
}()

// The kinds of a CP key "code-suffix".
const (
	suffixUnknown = iota // not in Table 4: kept as a value, with a warning
	suffixNumber         // a measurement: Rtd, Avg…
	suffixText           // Flag, EFlag, SampleTime
	suffixField          // equipment state, information, SN: a CP field, not a value
)

// suffix classifies the part of a CP key after its last "-" (§6.3.3,
// Table 4) and returns it as the table's string when it is one.
func suffix[T string | []byte](s T) (string, int) {
	switch string(s) {
	case "Rtd":
		return "Rtd", suffixNumber
	case "Avg":
		return "Avg", suffixNumber
	case "Min":
		return "Min", suffixNumber
	case "Max":
		return "Max", suffixNumber
	case "Cou":
		return "Cou", suffixNumber
	case "ZsRtd":
		return "ZsRtd", suffixNumber
	case "ZsAvg":
		return "ZsAvg", suffixNumber
	case "ZsMin":
		return "ZsMin", suffixNumber
	case "ZsMax":
		return "ZsMax", suffixNumber
	case "Data": // noise
		return "Data", suffixNumber
	case "DayData":
		return "DayData", suffixNumber
	case "NightData":
		return "NightData", suffixNumber
	case "Flag":
		return "Flag", suffixText
	case "EFlag": // vendor-defined (C4)
		return "EFlag", suffixText
	case "SampleTime":
		return "SampleTime", suffixText
	case "RS", "RT", "Info", "SN": // SBxxx-RS, SBxxx-RT, i11001-Info, w01018-SN
		return string(s), suffixField
	}
	return string(s), suffixUnknown
}

func suffixKind(s string) int {
	_, k := suffix(s)
	return k
}

// versionBits is the version of HJ 212 in Flag bits V5–V0 (Table 3; 2025
// from caoyiliang/HJ212 Enum.cs).
var versionBits = map[string]int{"2005": 0, "2017": 1 << 2, "2025": 2 << 2}

// version names the version in a Flag, "" when unknown.
func version(flag int) string {
	switch flag >> 2 {
	case 0:
		return "2005"
	case 1:
		return "2017"
	case 2:
		return "2025"
	}
	return ""
}

// codeSet finds a short code (1 to 7 bytes) among at most 255 with one
// multiplication and two loads: a perfect hash. A map lookup costs several
// times as much, and the decoder looks up the ST, the CN and each
// pollutant code of every frame.
type codeSet struct {
	codes []string
	keys  []uint64      // the codes packed by codeKey
	mult  uint64        // chosen so that no two keys share a slot
	slot  [1 << 9]uint8 // the index in codes plus one, 0 for none
}

// codeKey packs a code of 1 to 7 bytes and its length into a number, one
// to one: byte i at bits 8i, the length at the top. Two overlapping loads
// cost less than a loop.
func codeKey(c []byte) uint64 {
	var k uint64
	switch n := len(c); {
	case n >= 4:
		k = uint64(binary.LittleEndian.Uint32(c)) | uint64(binary.LittleEndian.Uint32(c[n-4:]))<<(8*(n-4))
	case n >= 2:
		k = uint64(binary.LittleEndian.Uint16(c)) | uint64(binary.LittleEndian.Uint16(c[n-2:]))<<(8*(n-2))
	default:
		k = uint64(c[0])
	}
	return k | uint64(len(c))<<56
}

func newCodeSet(codes []string) *codeSet {
	s := &codeSet{codes: codes, keys: make([]uint64, len(codes))}
	for i, c := range codes {
		if len(c) == 0 || len(c) > 7 || len(codes) > 255 {
			panic("hj212: code " + c + " does not fit a codeSet")
		}
		s.keys[i] = codeKey([]byte(c))
	}
	// Try multipliers from a fixed sequence until one spreads the keys
	// over distinct slots: for some 50 keys in 512 slots about one in 20
	// does. Equal codes never would.
	for m := uint64(1); ; m++ {
		s.mult = m*0x9E3779B97F4A7C15 | 1
		clear(s.slot[:])
		i := 0
		for ; i < len(s.keys); i++ {
			h := s.hash(s.keys[i])
			if s.slot[h] != 0 {
				break
			}
			s.slot[h] = uint8(i + 1)
		}
		if i == len(s.keys) {
			return s
		}
		if m == 1<<20 {
			panic("hj212: no perfect hash for the codes (duplicates?)")
		}
	}
}

func (s *codeSet) hash(k uint64) uint64 { return k * s.mult >> (64 - 9) }

// find returns the index of code in the set, or -1.
func (s *codeSet) find(code []byte) int {
	if len(code) == 0 || len(code) > 7 {
		return -1
	}
	k := codeKey(code)
	i := int(s.slot[s.hash(k)]) - 1
	if i >= 0 && s.keys[i] == k {
		return i
	}
	return -1
}

// intern returns the set's own string for b, or a copy of b.
func (s *codeSet) intern(b []byte) (string, bool) {
	if i := s.find(b); i >= 0 {
		return s.codes[i], true
	}
	return string(b), false
}
