"""The Party's documents generated as .docx from templates kept in the repository (issue 17).

`render` is the shared infrastructure (templates, the 36-HD/VPTW heading, numbers, the HTTP
response); `forms` holds the form table (`DocumentForm`, data); `dossier` fills a person's documents.
"""
