module example.com/gopherlab/traceedges

go 1.27
