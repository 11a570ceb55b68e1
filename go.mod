module github.com/luoshi/luoshi

go 1.26.8
