package i18n

import "maps"

// The GEP pages (decision 0033), kept beside the main catalogue and
// merged into it.
var zhGEP = map[string]string{
	"nav.gep": "生态产品价值", "gep.title": "生态系统生产总值（GEP）核算", "gep.intro": "各县（市、区）GEP 核算表、按服务的价值量与地图；核算批次及其溯源信息。",
	"gep.run": "GEP 核算批次", "gep.runs": "核算批次", "gep.gep": "GEP", "gep.gdp": "GDP", "gep.yi": "亿元", "gep.wan": "万元",
	"gep.material": "物质产品", "gep.regulating": "调节服务", "gep.cultural": "文化服务", "gep.yoy": "同比", "gep.previous": "上年",
	"gep.area": "面积（km²）", "gep.price_year": "价格年份", "gep.code": "程序版本", "gep.inputs_hashed": "个输入文件（SHA-256）",
	"gep.by_service": "按服务的价值量", "gep.map": "各县（市、区）GEP", "gep.money_note": "金额单位：亿元。", "gep.service": "服务", "gep.value": "价值量",
	"gep.no_account": "尚无完成的核算。", "gep.scenario": "情景：关停企业地块复绿", "gep.scenario_note": "关停取缔企业的用地改为林地后，各县碳储量与产水量的变化；改变的像元数：",
	"gep.pixels": "个像元", "gep.unit": "单位", "gep.before": "现状", "gep.after": "情景", "gep.change": "变化",
	"gep.name": "名称", "gep.progress": "进度", "gep.by": "操作人", "gep.finished": "完成时间",
	"gep.status.running": "计算中", "gep.status.done": "已完成", "gep.status.failed": "失败",
	"gep.xlsx": "下载核算表（XLSX）", "gep.zone": "区域", "gep.category": "类别", "gep.quantity": "功能量", "gep.price": "价格", "gep.price_unit": "价格单位",
	"gep.source": "来源", "gep.value_map": "价值量分布图", "gep.value_map_note": "每像元价值量（元），颜色越深价值越高（至第 99 百分位）；按块平均缩小显示。",
	"gep.provenance": "溯源信息", "gep.started": "开始于", "gep.grid": "栅格", "gep.compared_with": "对比", "gep.parameters": "参数", "gep.inputs": "输入文件",
	"gep.field": "配置项", "gep.file": "文件", "gep.bytes": "字节", "gep.prices": "单价", "gep.item": "项目", "gep.config": "核算配置", "gep.not_done": "该批次尚无核算结果。",
	"gep.svc.material_products": "物质产品", "gep.svc.water_conservation": "水源涵养", "gep.svc.soil_retention": "土壤保持", "gep.svc.flood_regulation": "洪水调蓄",
	"gep.svc.water_purification": "水质净化", "gep.svc.air_purification": "空气净化", "gep.svc.carbon_oxygen": "固碳释氧", "gep.svc.climate_regulation": "气候调节",
	"gep.svc.tourism": "旅游康养", "gep.svc.carbon_storage": "碳储量", "gep.svc.water_yield": "产水量",
	"gep.purchases": "生态产品政府采购", "gep.purchase": "生态产品采购", "gep.purchases_intro": "按核算结果购买区域 GEP 的一定比例，分期付款，后期付款以生态质量指标达标为条件。",
	"gep.buyer": "购买方", "gep.seller": "出售区域", "gep.share": "比例", "gep.base_year": "基准年", "gep.basis_gep": "基准年所购服务 GEP", "gep.price_total": "采购金额",
	"gep.paid": "应付", "gep.priced_on": "计价依据", "gep.synthetic": "合成演示", "gep.services": "所购服务", "gep.use": "资金用途", "gep.basis": "约定基数",
	"gep.payments": "付款", "gep.fraction": "比例", "gep.amount": "金额", "gep.condition": "考核年度", "gep.checks": "指标核验",
	"gep.pay.due": "应付", "gep.pay.payable": "达标可付", "gep.pay.withheld": "暂缓支付", "gep.pay.pending": "待核验",
	"gep.withheld": "暂缓", "gep.pending": "待核验", "gep.indicators": "生态质量指标", "gep.indicator": "指标", "gep.min": "下限", "gep.max": "上限", "gep.observations": "监测值",
}

var enGEP = map[string]string{
	"nav.gep": "Ecosystem value", "gep.title": "Gross Ecosystem Product (GEP) account", "gep.intro": "The account per county, the value by service and on the map; the runs and their provenance.",
	"gep.run": "GEP account run", "gep.runs": "Runs", "gep.gep": "GEP", "gep.gdp": "GDP", "gep.yi": "100 M yuan", "gep.wan": "10k yuan",
	"gep.material": "Material products", "gep.regulating": "Regulating services", "gep.cultural": "Cultural services", "gep.yoy": "Year on year", "gep.previous": "Previous year",
	"gep.area": "Area (km²)", "gep.price_year": "Price year", "gep.code": "Code version", "gep.inputs_hashed": "input files (SHA-256)",
	"gep.by_service": "Value by service", "gep.map": "GEP by county", "gep.money_note": "Money in 100 M yuan (亿元).", "gep.service": "Service", "gep.value": "Value",
	"gep.no_account": "No account is done yet.", "gep.scenario": "Scenario: closed plants' land restored", "gep.scenario_note": "Carbon storage and water yield per county when the closed enterprises' land becomes forest; pixels changed:",
	"gep.pixels": "pixels", "gep.unit": "Unit", "gep.before": "Now", "gep.after": "Scenario", "gep.change": "Change",
	"gep.name": "Name", "gep.progress": "Progress", "gep.by": "By", "gep.finished": "Finished",
	"gep.status.running": "Running", "gep.status.done": "Done", "gep.status.failed": "Failed",
	"gep.xlsx": "Download the account (XLSX)", "gep.zone": "Zone", "gep.category": "Category", "gep.quantity": "Quantity", "gep.price": "Price", "gep.price_unit": "Price unit",
	"gep.source": "Source", "gep.value_map": "Value map", "gep.value_map_note": "Value per pixel (yuan), darker for higher up to the 99th percentile; downsampled by block means.",
	"gep.provenance": "Provenance", "gep.started": "started", "gep.grid": "grid", "gep.compared_with": "compared with", "gep.parameters": "Parameters", "gep.inputs": "Inputs",
	"gep.field": "Field", "gep.file": "File", "gep.bytes": "Bytes", "gep.prices": "Unit prices", "gep.item": "Item", "gep.config": "Config", "gep.not_done": "This run has no account yet.",
	"gep.svc.material_products": "Material products", "gep.svc.water_conservation": "Water conservation", "gep.svc.soil_retention": "Soil retention", "gep.svc.flood_regulation": "Flood regulation",
	"gep.svc.water_purification": "Water purification", "gep.svc.air_purification": "Air purification", "gep.svc.carbon_oxygen": "Carbon and oxygen", "gep.svc.climate_regulation": "Climate regulation",
	"gep.svc.tourism": "Tourism and recreation", "gep.svc.carbon_storage": "Carbon storage", "gep.svc.water_yield": "Water yield",
	"gep.purchases": "Ecological product purchases", "gep.purchase": "Ecological product purchase", "gep.purchases_intro": "A share of a zone's GEP bought on its account, paid by instalments, the later ones if ecological quality indicators hold.",
	"gep.buyer": "Buyer", "gep.seller": "Seller zone", "gep.share": "Share", "gep.base_year": "Base year", "gep.basis_gep": "Base year's GEP of the services", "gep.price_total": "Price",
	"gep.paid": "To pay", "gep.priced_on": "Priced on", "gep.synthetic": "synthetic demo", "gep.services": "Services bought", "gep.use": "Use of the money", "gep.basis": "Agreed basis",
	"gep.payments": "Payments", "gep.fraction": "Fraction", "gep.amount": "Amount", "gep.condition": "Condition year", "gep.checks": "Indicator checks",
	"gep.pay.due": "Due", "gep.pay.payable": "Payable", "gep.pay.withheld": "Withheld", "gep.pay.pending": "Pending",
	"gep.withheld": "Withheld", "gep.pending": "Pending", "gep.indicators": "Quality indicators", "gep.indicator": "Indicator", "gep.min": "Min", "gep.max": "Max", "gep.observations": "Observations",
}

func init() {
	maps.Copy(zh, zhGEP)
	maps.Copy(en, enGEP)
}
