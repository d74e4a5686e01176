// Package compliance is the rectification of "四无" and "散乱污" enterprises
// and special industry campaigns (shared/reference/governance.md §2):
// screening the registry against explainable criteria, campaigns that
// survey the enterprises in their scope, and one case per surveyed
// enterprise that follows the bureau's steps through an explicit state
// machine (Transitions), every step kept in an append-only audit log. A
// case's consequences for its enterprise (closed, relocated, suspended) go
// through the registry's one write path, in the case's transaction.
// Decision 0008 records the choices.
//
// Wiring (package app): the store is a *store.DB, which implements Store;
// attachments are db.Attachments(filepath.Join(dataDir, "attachments")) on
// SQLite and db.Attachments("") on PostgreSQL:
//
//	svc := compliance.NewService(db, db.Attachments(dir))
//
// The flow, by Service method:
//
//	Screen, Runs, Run, Diff                 screening runs over the whole registry
//	CreateCampaign, UpdateCampaign, Campaigns, Campaign
//	Survey                                  a case per enterprise the campaign selects
//	Cases, Case, Events                     lists, one case, its audit log
//	Dismiss | Classify                      surveyed → dismissed | rectifying
//	RecordChecklist, SetRelocation, RecordItem   evidence, by disposition
//	Accept (three levels), CloseOut         → accepting → accepted → closed_out
//	Visit                                   回头看, after 销号 or a reopening
//	RecordRelapse                           monitoring's hook: closed, yet producing
//	Stats, ExportXLSX                       progress against targets, the report upward
//	PutAttachment, Attachment               photos and scans, by SHA-256
//
// Every change to a case takes an Edit: the case, the version its author
// read (Case.Version) and the actor. Errors are apperr errors in Chinese
// and English: invalid (input, missing evidence), not_found, conflict (a
// stale version, or an action the case's state does not allow); refused
// changes change nothing.
//
// Dates that officials record are YYYY-MM-DD in China Standard Time and
// may not be in the future; event times are instants.
package compliance
