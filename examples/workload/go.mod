module example.com/gopherlab/workload

go 1.27
