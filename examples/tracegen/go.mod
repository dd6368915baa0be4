module example.com/gopherlab/tracegen

go 1.27
