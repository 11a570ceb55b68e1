package audit

// Registry actions (issue 9), in their own file so that the catalogue grows
// without editing the shared lists above.
const (
	RegistryCreated  = "registry.created"
	RegistryUpdated  = "registry.updated"
	RegistryImported = "registry.imported"
	RegistryExported = "registry.exported"
	RegistryOptions  = "registry.options_updated"
	IndicatorBound   = "indicator.bound"
	IndicatorUnbound = "indicator.unbound"
)

func init() {
	Actions = append(Actions, RegistryCreated, RegistryUpdated, RegistryImported, RegistryExported, RegistryOptions,
		IndicatorBound, IndicatorUnbound)
	labels[RegistryCreated] = "新建主体库记录"
	labels[RegistryUpdated] = "修改主体库记录"
	labels[RegistryImported] = "导入主体库"
	labels[RegistryExported] = "导出主体库"
	labels[RegistryOptions] = "修改主体库选项"
	labels[IndicatorBound] = "指标绑定主体库统计"
	labels[IndicatorUnbound] = "指标取消绑定"
}
