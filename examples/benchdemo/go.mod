module example.com/gopherlab/benchdemo

go 1.27
