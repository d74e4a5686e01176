package compliance

import (
	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
)

// What the roles' policy (auth.CanRead, CanWrite, Visible) is told of the
// rectification: campaigns and screening runs are the city's, written by
// the ecology bureau; a case is where its enterprise is, and whom it is
// assigned to.

func caseObject(c Case, w auth.What) auth.Object {
	return auth.Object{What: w, Bureau: auth.Ecology, County: c.County, USCC: c.USCC, Assignee: c.Assignee,
		Missing: notFound("case", "案件", c.ID)}
}

var (
	campaignObject  = auth.Object{What: auth.Campaigns, Bureau: auth.Ecology}
	screeningObject = auth.Object{What: auth.Screenings, Bureau: auth.Ecology}
	evidenceObject  = auth.Object{What: auth.Evidence, Bureau: auth.Ecology}
)

// narrow returns f within what by may see, and false where the two do
// not meet: the list is empty.
func narrow(by auth.Principal, f CaseFilter) (CaseFilter, bool) {
	v := auth.Visible(by)
	for _, c := range []struct{ f, scope *string }{{&f.County, &v.County}, {&f.USCC, &v.USCC}} {
		switch {
		case *c.scope == "":
		case *c.f != "" && *c.f != *c.scope:
			return f, false
		default:
			*c.f = *c.scope
		}
	}
	return f, true
}

// checkAssignee refuses what cannot be a user's name; "" unassigns.
func checkAssignee(name string) error {
	if name == "" {
		return nil
	}
	if err := (auth.Principal{Kind: auth.User, Name: name}).Check(); err != nil {
		return apperr.Newf(apperr.Invalid, "assignee: a user name of at most %d characters of text", "指派对象：须为不超过 %d 个字符的用户名", 64)
	}
	return nil
}
