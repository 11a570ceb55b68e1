package audit

// Registry actions (issue 9), added to the catalogue by register.
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
	register(
		named{RegistryCreated, "新建主体库记录"},
		named{RegistryUpdated, "修改主体库记录"},
		named{RegistryImported, "导入主体库"},
		named{RegistryExported, "导出主体库"},
		named{RegistryOptions, "修改主体库选项"},
		named{IndicatorBound, "指标绑定主体库统计"},
		named{IndicatorUnbound, "指标取消绑定"},
	)
}
