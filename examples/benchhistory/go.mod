module example.com/gopherlab/benchhistory

go 1.27
