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

	IndicatorUpdated:       "修改指标设置",
	IndicatorAllocated:     "分解指标目标",
	IndicatorValueSet:      "录入指标完成值",
	BulletinExported:       "导出月度通报",
	AssessmentWeightSet:    "设置考核权重",
	AssessmentExported:     "导出年度考核",
	NoticeIssued:           "下发督办单",
	NoticeReminded:         "督办催办",
	NoticeReplied:          "督办回复",
	NoticeExtensionAsked:   "申请延期",
	NoticeExtensionGranted: "同意延期",
	NoticeExtensionRefused: "不同意延期",
	NoticeClosed:           "督办办结销号",
	NoticeEscalated:        "升级督办",
	ChannelCreated:         "新建通知渠道",
	ChannelUpdated:         "修改通知渠道",
	ChannelDeleted:         "删除通知渠道",
}

// Label returns the Chinese name of action, or action itself when it has
// none.
func Label(action string) string {
	if l, ok := labels[action]; ok {
		return l
	}
	return action
}

// named is an action with its label, for register.
type named struct{ action, label string }

// register appends actions to Actions, in the order given, with their
// labels: the files of actions added by later issues call it from init, so
// that the catalogue grows without editing the shared lists above.
func register(actions ...named) {
	for _, n := range actions {
		Actions = append(Actions, n.action)
		labels[n.action] = n.label
	}
}
