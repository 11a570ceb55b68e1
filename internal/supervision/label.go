package supervision

// statusLabels and stepLabels are the Chinese names used in messages; the
// pages take theirs from the i18n catalogue.
var statusLabels = map[string]string{
	Issued: "待回复", Replied: "已回复待审核", ExtensionRequested: "申请延期待审批", Closed: "已办结销号", Escalated: "已升级督办",
}

var stepLabels = map[string]string{
	StepIssued: "下发督办", StepReminded: "催办", StepReplied: "回复", StepExtensionAsked: "申请延期",
	StepExtensionGranted: "同意延期", StepExtensionRefused: "不同意延期", StepClosed: "办结销号", StepEscalated: "升级督办",
}

// StatusLabel is the Chinese name of a status.
func StatusLabel(s string) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return s
}

// StepLabel is the Chinese name of a step.
func StepLabel(s string) string {
	if l, ok := stepLabels[s]; ok {
		return l
	}
	return s
}
