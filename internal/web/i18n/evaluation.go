package i18n

import "maps"

// The per-mu evaluation's pages (decision 0028), kept beside the main
// catalogue and merged into it.
var zhEvaluation = map[string]string{
	"nav.evaluations": "亩均评价",
	"eval.title":      "亩均效益评价", "eval.by_county": "各县（市、区）等级分布", "eval.enterprises": "家", "eval.map": "A、B 类占比（百分比）",
	"eval.run": "评价", "eval.mix": "等级分布", "eval.years": "历年亩均评价", "eval.score_trend": "历年得分", "eval.score": "得分",
	"eval.year": "年度", "eval.method": "评价办法", "eval.evaluated": "参评企业", "eval.at": "时间", "eval.out_of_scope": "不在评价范围",
	"eval.state.draft": "草稿", "eval.state.notice": "公示中", "eval.state.superseded": "已重新评价", "eval.state.approved": "已审定", "eval.state.published": "已公布",
	"eval.notice_period": "公示期", "eval.revises": "本次为重新评价，取代", "eval.superseded_by": "已被重新评价取代：", "eval.policy_lists": "差别化政策清单",
	"eval.ranking": "排名", "eval.group": "规模组", "eval.group.above": "规上", "eval.group.below": "规下", "eval.rank": "组内排名",
	"eval.class": "等级", "eval.last_class": "上年等级", "eval.explain": "说明", "eval.parcel": "共用地块",
	"eval.objections": "异议及处理", "eval.objected_by": "提出人", "eval.objection": "异议内容", "eval.evidence": "佐证材料",
	"eval.objection.open": "待处理", "eval.objection.accepted": "已采纳", "eval.objection.rejected": "已驳回", "eval.handling": "处理",
	"eval.log": "操作记录", "eval.actor": "操作人", "eval.action": "操作", "eval.reason": "理由", "eval.data": "内容",
	"eval.action.run": "评价", "eval.action.notice": "公示", "eval.action.object": "提出异议", "eval.action.accept": "采纳异议",
	"eval.notice_from": "公示开始", "eval.notice_to": "公示截止", "eval.correction": "更正数据（每行 字段=值）", "eval.document": "审定文件或会议",
	"eval.action.reject": "驳回异议", "eval.action.rerun": "重新评价", "eval.action.approve": "审定", "eval.action.publish": "公布",
}

var enEvaluation = map[string]string{
	"nav.evaluations": "Per-mu evaluation",
	"eval.title":      "Per-mu benefit evaluation", "eval.by_county": "Classes by county", "eval.enterprises": "enterprises", "eval.map": "Share of classes A and B, per cent",
	"eval.run": "Run", "eval.mix": "Classes", "eval.years": "Per-mu evaluation over the years", "eval.score_trend": "Score by year", "eval.score": "Score",
	"eval.year": "Year", "eval.method": "Method", "eval.evaluated": "Evaluated", "eval.at": "At", "eval.out_of_scope": "Out of scope",
	"eval.state.draft": "Draft", "eval.state.notice": "On notice", "eval.state.superseded": "Superseded", "eval.state.approved": "Approved", "eval.state.published": "Published",
	"eval.notice_period": "Notice period", "eval.revises": "A re-run, replacing", "eval.superseded_by": "Superseded by the re-run", "eval.policy_lists": "Policy lists",
	"eval.ranking": "Ranking", "eval.group": "Size group", "eval.group.above": "Above size", "eval.group.below": "Below size", "eval.rank": "Rank in group",
	"eval.class": "Class", "eval.last_class": "Last year", "eval.explain": "Explanation", "eval.parcel": "shared parcel",
	"eval.objections": "Objections and their handling", "eval.objected_by": "Filed by", "eval.objection": "Objection", "eval.evidence": "Evidence",
	"eval.objection.open": "Open", "eval.objection.accepted": "Accepted", "eval.objection.rejected": "Rejected", "eval.handling": "Handling",
	"eval.log": "Audit log", "eval.actor": "By", "eval.action": "Action", "eval.reason": "Reason", "eval.data": "Details",
	"eval.action.run": "Run", "eval.action.notice": "Notice", "eval.action.object": "Objection", "eval.action.accept": "Accept objection",
	"eval.notice_from": "Notice from", "eval.notice_to": "Notice until", "eval.correction": "Correction (field=value, one a line)", "eval.document": "Approving document or meeting",
	"eval.action.reject": "Reject objection", "eval.action.rerun": "Re-run", "eval.action.approve": "Approve", "eval.action.publish": "Publish",
}

func init() {
	maps.Copy(zh, zhEvaluation)
	maps.Copy(en, enEvaluation)
}
