"""Reference implementations: what each autograded exercise is compared with.

One module per chapter, named like the chapter folder's topic. The functions
have the exact signatures the chapters ask students to write.
"""
