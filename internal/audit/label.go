package audit

// labels are the Chinese names of the actions, for the auditor's page and
// the export.
var labels = map[string]string{
	LoginSucceeded:  "登录成功",
	LoginFailed:     "登录失败",
	LockedOut:       "账号锁定",
	Logout:          "退出登录",
	SessionRevoked:  "注销会话",
	PasswordChanged: "修改密码",
	TokenCreated:    "创建访问令牌",
	TokenRevoked:    "吊销访问令牌",

	UserCreated:       "新建用户",
	UserUpdated:       "修改用户",
	UserPasswordReset: "重置用户密码",

	UnitCreated: "新建单位",
	UnitUpdated: "修改单位",

	PolicyUpdated: "修改安全策略",

	AccessDenied: "拒绝访问",

	PlanImported: "导入计划",
	PlanReplaced: "替换计划",
	PlanUpdated:  "修改计划",
	DemoLoaded:   "加载演示数据",

	AuditExported:   "导出审计日志",
	AuditKeyEnabled: "启用审计密钥",
	UploadsSwept:    "清理未保存的上传文件",

	IndicatorUpdated:    "修改指标设置",
	IndicatorAllocated:  "分解指标目标",
	IndicatorValueSet:   "录入指标完成值",
	BulletinExported:    "导出月度通报",
	AssessmentWeightSet: "设置考核权重",
	AssessmentExported:  "导出年度考核",
}

// Label returns the Chinese name of action, or action itself when it has
// none.
func Label(action string) string {
	if l, ok := labels[action]; ok {
		return l
	}
	return action
}
