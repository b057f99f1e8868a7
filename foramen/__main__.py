from foramen.cli import main

main()
