print("clipstream")
