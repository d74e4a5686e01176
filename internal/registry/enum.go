package registry

import "strings"

// choice is one value of an enumerated field: its code (stored, exported,
// used by the API), its Chinese name, and the other spellings that
// officials' spreadsheets use.
type choice struct {
	code, zh string
	aliases  []string
}

type enum []choice

func (e enum) parse(s string) (string, bool) {
	for _, c := range e {
		if strings.EqualFold(s, c.code) || s == c.zh {
			return c.code, true
		}
		for _, a := range c.aliases {
			if strings.EqualFold(s, a) {
				return c.code, true
			}
		}
	}
	return "", false
}

func (e enum) codes() string {
	var b strings.Builder
	for i, c := range e {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.code + " (" + c.zh + ")")
	}
	return b.String()
}

var (
	sizes = enum{
		{"above", "规上", []string{"规模以上", "above designated size"}},
		{"below", "规下", []string{"规模以下", "below designated size"}},
	}
	statuses = enum{
		{"operating", "在产", []string{"正常", "生产", "营业", "在营"}},
		{"suspended", "停产", []string{"停业", "暂停"}},
		{"closed", "关停", []string{"关闭", "取缔", "注销"}},
		{"relocated", "搬迁", []string{"迁出", "已搬迁"}},
	}
	parkKinds = enum{
		{"development_zone", "开发区", []string{"development zone", "经济开发区", "经济技术开发区", "高新区"}},
		{"industrial_park", "工业园区", []string{"industrial park", "产业园区", "工业园"}},
		{"small_micro_park", "小微企业园", []string{"small and micro park", "small micro park", "小微园", "小微企业园区"}},
	}
	licenceStatuses = enum{
		{"valid", "有效", []string{"存续", "在业", "开业"}},
		{"revoked", "吊销", []string{"已吊销"}},
		{"cancelled", "注销", []string{"已注销"}},
		{"expired", "过期", []string{"已过期", "到期"}},
	}
	landStatuses = enum{
		{"legal", "合法", []string{"有证", "已办证"}},
		{"pending", "待办", []string{"办理中", "待完善"}},
		{"illegal", "违法", []string{"违建", "无证"}},
	}
	results = enum{
		{"pass", "合格", []string{"通过", "passed"}},
		{"fail", "不合格", []string{"不通过", "failed"}},
	}
	outletKinds = enum{
		{"air", "废气", []string{"gas", "flue gas", "废气排放口", "大气"}},
		{"water", "废水", []string{"wastewater", "废水排放口", "水"}},
	}
	permitClasses = enum{
		{"key", "重点管理", []string{"重点"}},
		{"simplified", "简化管理", []string{"简化"}},
		{"registration", "登记管理", []string{"登记"}},
	}
	levels = enum{
		{"city", "市", []string{"地级市", "设区市"}},
		{"county", "县", []string{"区", "县级市", "县级", "district"}},
		{"township", "乡镇", []string{"乡", "镇", "街道", "乡镇街道", "town"}},
	}
	booleans = enum{
		{"true", "是", []string{"yes", "y", "1", "在用", "运行", "正常"}},
		{"false", "否", []string{"no", "n", "0", "停用", "未运行"}},
	}
)
