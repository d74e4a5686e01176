package auth

import (
	"fmt"

	"ecoindustry/internal/apperr"
)

// The roles' rules (issue 13, decision 0019), in one place: the services
// ask CanList before a list, Visible for the rows a list may carry,
// CanRead for one record and CanWrite before a change. Handlers only pass
// the request's principal down.

// What is the kind of thing a request touches.
type What string

const (
	Units      What = "unit"       // administrative units: public codes
	Parks      What = "park"       // a park's own record
	Records    What = "record"     // an enterprise or one of its records (licences, outlets, permits...)
	Monitoring What = "monitoring" // an enterprise's readings, rollups and logger frames
	Campaigns  What = "campaign"   // campaigns: the city's, not one county's
	Cases      What = "case"       // a case, its events and steps
	Assignment What = "assignment" // who a case is assigned to
	Screenings What = "screening"  // screening runs over the whole registry
	Evidence   What = "evidence"   // attachments: the photos and documents of cases' steps
	Accounts   What = "account"    // accounts, sessions, tokens
	Alarms     What = "alarm"      // exceedance and data-gap alarms: acknowledging, resolving (reads: Monitoring)
	Standards  What = "standard"   // the emission standards' catalogue
	// Evaluations are per-mu evaluation runs (亩均论英雄): run by the
	// economy bureau, read by officers, a county's of its county.
	Evaluations What = "evaluation"
	// Purchases are ecological product purchases (生态产品采购, decision
	// 0031): the ecology bureau's, read by officers, a county's of its county.
	Purchases What = "purchase"
	// GEPRuns are GEP account runs: run by the city's ecology and
	// statistics bureaus, read by city and county officers (decision 0030).
	GEPRuns What = "gep_run"
	// Objections are enterprises' objections to their results on notice,
	// and Declarations their own year's figures: filed by the enterprise
	// (or an economy officer for it), handled by the economy bureau
	// (decision 0028).
	Objections   What = "objection"
	Declarations What = "declaration"
	// Industry is the leading industries' statistics, transformation
	// projects and shared treatment facilities (decision 0029): the
	// economy bureau's, city or county; read by officers, projects and
	// facilities of a county by its officers.
	Industry What = "industry"
	// Plans are the action plan's targets and values entered by hand:
	// the city economy bureau's; read by officers.
	Plans What = "plan"
)

// Object is what a request reads or writes: its kind, the bureau that
// owns it (writes), where it is (county, park, enterprise) and, for a
// case, whom it is assigned to. Fields that do not apply are "".
type Object struct {
	What     What
	Bureau   Bureau
	County   string
	Park     string
	USCC     string
	Assignee string
	// Missing is the service's own error for a record that does not
	// exist: what p gets for a record they may not know exists, so that
	// the two read alike.
	Missing error
}

// Filter is the part of the records a principal may list: those of one
// county, park or enterprise where one is set, all where none is.
type Filter struct {
	County, Park, USCC string
}

// All reports whether f lets every record through.
func (f Filter) All() bool { return f == Filter{} }

// Allows reports whether a record of that county, park and enterprise
// passes f.
func (f Filter) Allows(county, park, uscc string) bool {
	return (f.County == "" || f.County == county) && (f.Park == "" || f.Park == park) && (f.USCC == "" || f.USCC == uscc)
}

// Unrestricted reports whether p may do everything: the city's
// administrators, and principals without a role that no account made (the
// command line, the server, the API's callers before accounts: decision
// 0014 keeps that server on loopback). A user or a token without a role
// may do nothing.
func Unrestricted(p Principal) bool {
	return p.Role == Admin || p.Role == "" && p.Kind != User && p.Kind != Token
}

// Visible returns the records p may see in lists: enterprise records and
// their monitoring data, and cases (by the case's county and enterprise).
func Visible(p Principal) Filter {
	switch p.Role {
	case County, Inspector:
		return Filter{County: p.Scope.County}
	case Park:
		return Filter{Park: p.Scope.Park}
	case Enterprise:
		return Filter{USCC: p.Scope.USCC}
	}
	return Filter{}
}

// known reports whether p's role is one of the roles: any other reads nothing.
func known(p Principal) bool {
	switch p.Role {
	case City, County, Park, Inspector, Enterprise:
		return true
	}
	return Unrestricted(p)
}

// CanList says whether p may list things of kind w at all (403 if not);
// Visible then says which of them.
func CanList(p Principal, w What) error {
	if Unrestricted(p) {
		return nil
	}
	ok := known(p)
	switch w {
	case Campaigns:
		ok = ok && p.Role != Park && p.Role != Enterprise
	case Cases, Assignment, Evidence:
		ok = ok && p.Role != Park
	case Evaluations, Objections, Declarations:
		// An enterprise reads its own results once public (the service
		// cuts them), its own objections and declarations.
		ok = ok && p.Role != Park
	case Purchases, Industry, Plans:
		ok = ok && p.Role != Park && p.Role != Enterprise
	case Screenings:
		ok = p.Role == City
	case GEPRuns:
		ok = p.Role == City || p.Role == County
	case Accounts:
		ok = false
	}
	if !ok {
		return forbidden(p, "read", "查看", w)
	}
	return nil
}

// CanRead says whether p may read o: nil, a not-found error where p may
// not know o exists (a record outside their county, park or enterprise),
// or a forbidden one.
func CanRead(p Principal, o Object) error {
	if err := CanList(p, o.What); err != nil {
		return err
	}
	switch o.What {
	case Records, Monitoring, Cases, Assignment, Alarms, Evaluations, Objections, Declarations, Purchases, Industry:
		if !Visible(p).Allows(o.County, o.Park, o.USCC) {
			return notFound(o)
		}
	}
	return nil
}

// MayWrite says whether p may change some things of kind w owned by
// bureau b: a role that may change none of them is forbidden before
// anything is looked up or checked, and so learns nothing of a record's
// existence.
func MayWrite(p Principal, w What, b Bureau) error {
	if Unrestricted(p) {
		return nil
	}
	owns := b != "" && p.Bureau == b && p.Bureau != Statistics
	var ok bool
	switch w {
	case Parks:
		ok = (p.Role == City || p.Role == County) && owns || p.Role == Park
	case Records, Assignment, Alarms, Evaluations, Purchases, Industry:
		ok = (p.Role == City || p.Role == County) && owns
	case Cases, Evidence:
		ok = (p.Role == City || p.Role == County) && owns || p.Role == Inspector
	case Objections, Declarations:
		ok = (p.Role == City || p.Role == County) && owns || p.Role == Enterprise
	case Campaigns, Screenings, Standards, Plans:
		ok = p.Role == City && owns
	case GEPRuns:
		ok = p.Role == City && (p.Bureau == Ecology || p.Bureau == Statistics)
	}
	if !ok {
		return forbidden(p, "change", "修改", w)
	}
	return nil
}

// CanWrite says whether p may change o (create, update, a case's step):
// MayWrite's error, the read's where p may not read o, else nil or
// forbidden: a county's officer changes their county's records and
// parks, a park's manager their park's own record, an inspector the
// cases assigned to them.
func CanWrite(p Principal, o Object) error {
	if err := MayWrite(p, o.What, o.Bureau); err != nil || Unrestricted(p) {
		return err
	}
	if o.What != Parks {
		if err := CanRead(p, o); err != nil {
			return err
		}
	}
	switch {
	case o.What == Parks && (p.Role == County && o.County != p.Scope.County || p.Role == Park && o.Park != p.Scope.Park),
		o.What == Cases && p.Role == Inspector && (o.Assignee == "" || o.Assignee != p.Name):
		return forbidden(p, "change", "修改", o.What)
	}
	return nil
}

var whatZh = map[What]string{
	Units: "行政区划", Parks: "园区", Records: "登记记录", Monitoring: "监测数据", Campaigns: "整治行动",
	Cases: "案件", Assignment: "案件指派", Screenings: "筛查批次", Evidence: "附件", Accounts: "账号",
	Alarms: "告警", Standards: "排放标准", Evaluations: "亩均评价", Objections: "亩均评价异议", Declarations: "企业自行申报数据",
	Purchases: "生态产品采购", GEPRuns: "GEP 核算", Industry: "产业集群与项目", Plans: "行动计划",
}

var roleZh = map[Role]string{
	Admin: "管理员", City: "市级部门", County: "县级部门", Park: "园区", Inspector: "检查员", Enterprise: "企业",
}

func forbidden(p Principal, verb, verbZh string, w What) error {
	role, zh := string(p.Role), roleZh[p.Role]
	if role == "" {
		role, zh = "none", "无"
	}
	return apperr.New(apperr.Forbidden, fmt.Sprintf("your role (%s) may not %s %s records", role, verb, w),
		fmt.Sprintf("您的角色（%s）无权%s%s", zh, verbZh, whatZh[w]))
}

// notFound is the error of a record p may not know exists: the same as
// for a record that does not.
func notFound(o Object) error {
	if o.Missing != nil {
		return o.Missing
	}
	return apperr.Newf(apperr.NotFound, "no such %[1]s", "无此%[2]s", o.What, whatZh[o.What])
}
