// Package plan holds a department's annual work plan (工作要点): its sections,
// tasks (work items and key items), measures and the targets found in it.
//
// The JSON shape of Plan is a stable contract (DESIGN.md): `luoshi plan parse
// --json` prints it without ids, and GET /api/v1/plans/{id} returns it with ids.
package plan

// TaskKind tells a numbered work item of a section from a key item of an
// attachment table (十件大事, 重点任务).
type TaskKind string

const (
	KindWorkItem TaskKind = "work_item"
	KindKeyItem  TaskKind = "key_item"
)

// Comparator says how an actual value is judged against a target.
type Comparator string

const (
	AtLeast     Comparator = ">=" // 达到, 以上, 不少于
	MoreThan    Comparator = ">"  // 突破, 超过
	About       Comparator = "~"  // 左右, 约: within ±10%
	AtMost      Comparator = "<=" // 以内, 不超过
	AboutMargin            = 0.10
)

// Plan is one department's plan for one year.
type Plan struct {
	ID         int64  `json:"id,omitempty"`
	Title      string `json:"title"`
	Issuer     string `json:"issuer"`
	IssuedOn   string `json:"issued_on"` // YYYY-MM-DD, empty when the document has no date
	Year       int    `json:"year"`
	DocNo      string `json:"doc_no,omitempty"`     // 文号, e.g. 川科发〔2022〕2号
	Addressees string `json:"addressees,omitempty"` // 主送
	Preamble   string `json:"preamble,omitempty"`
	Status     string `json:"status,omitempty"` // draft or active; empty in a parse result
	// Themes are the plan's named themes (the seed's 六大体系), when it names them.
	Themes   []string  `json:"themes,omitempty"`
	Targets  []Target  `json:"targets"`
	Sections []Section `json:"sections"`
	KeyItems []Task    `json:"key_items"`
	// ContentHash is the SHA-256 of the source document, hex; it stops the same
	// document being imported twice.
	ContentHash string `json:"content_hash,omitempty"`
	Version     int64  `json:"version,omitempty"`
}

// Section is a numbered part of the plan (一、二、…).
type Section struct {
	ID    int64  `json:"id,omitempty"`
	No    int    `json:"no"`
	Title string `json:"title"`
	Items []Task `json:"items"`
}

// Task is a work item (kind work_item, title = its first sentence) or a key
// item from an attachment table (kind key_item, with measures).
type Task struct {
	ID    int64    `json:"id,omitempty"`
	Kind  TaskKind `json:"kind,omitempty"`
	No    int      `json:"no"`
	Title string   `json:"title"`
	Text  string   `json:"text,omitempty"`
	// Units are org unit names mentioned in the text: suggestions for assignment.
	Units []string `json:"units,omitempty"`
	// LeadUnits and CoUnits come from a table's 牵头单位 / 配合单位 columns.
	LeadUnits []string  `json:"lead_units,omitempty"`
	CoUnits   []string  `json:"co_units,omitempty"`
	Due       string    `json:"due,omitempty"` // YYYY-MM-DD when unambiguous
	DueText   string    `json:"due_text,omitempty"`
	Targets   []Target  `json:"targets"`
	Measures  []Measure `json:"measures,omitempty"`
	Version   int64     `json:"version,omitempty"`
}

// Measure is a numbered clause of a key item (工作举措及进度安排).
type Measure struct {
	ID       int64  `json:"id,omitempty"`
	No       int    `json:"no"`
	Text     string `json:"text"`
	Done     bool   `json:"done"`
	DoneNote string `json:"done_note"`
	Due      string `json:"due,omitempty"`
	DueText  string `json:"due_text,omitempty"`
	Version  int64  `json:"version,omitempty"`
}

// Target is a quantitative target found in the plan; it becomes an indicator.
// Value is in base units: money in yuan (元), percent as the number of percent.
type Target struct {
	ID         int64      `json:"id,omitempty"`
	Name       string     `json:"name"`
	Value      float64    `json:"value"`
	Unit       string     `json:"unit"`
	Comparator Comparator `json:"comparator"`
	// Increment marks 新增/增长 targets: counted over the year's start value.
	Increment bool `json:"increment,omitempty"`
	// Stretch is the 争取 value next to the base value, in the same unit.
	Stretch *float64 `json:"stretch,omitempty"`
	// Display is the value as the document writes it, e.g. 15.3亿元.
	Display string `json:"display,omitempty"`
	Source  string `json:"source"`
}
