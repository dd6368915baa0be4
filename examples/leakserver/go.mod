module example.com/gopherlab/leakserver

go 1.27
