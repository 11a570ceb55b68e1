// Package target finds quantitative targets (目标指标) in plan sentences.
package target

import "github.com/luoshi/luoshi/internal/plan"

// Extract returns the targets stated in text, a paragraph or sentence of a
// plan, each with its source sentence. It never panics.
func Extract(text string) []plan.Target {
	return nil
}
