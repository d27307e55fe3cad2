"""The demo's documents, made as small PDFs from the source documents' own words with WeasyPrint."""

from weasyprint import HTML

STYLE = """
  @page { size: A4; margin: 2cm; }
  body { font-family: Arial, sans-serif; font-size: 11pt; line-height: 1.4; }
  h1 { font-size: 20pt; } h2 { font-size: 14pt; }
"""


def _pdf(title: str, body: str) -> bytes:
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
    <style>{STYLE}</style></head><body><h1>{title}</h1>{body}</body></html>"""
    return HTML(string=html).write_pdf()


def survey_report() -> bytes:
    return _pdf("SPOT service survey: you said, we did", """
    <p>In May we asked parents/carers and SENCOs to share thoughts and experience of our SPOT service by completing
    a short survey.</p>
    <h2>Who replied</h2>
    <ul><li>61 replies in all</li><li>39 replies from SENCOs (29 SENCOs; some completed the form once for each team
    that supports them)</li><li>22 replies from parents and carers</li></ul>
    <h2>What you said</h2>
    <ul><li>32 out of 39 replies from SENCOs said that they are very satisfied with the level of support received
    from the four teams.</li><li>Three parents said that they would not recommend a service to others.</li>
    <li>Seven parents felt that the service had not met the needs of their child or young person.</li>
    <li>There is some confusion between the Children's Occupational Therapy Service within SPOT and the Children and
    Young People's Therapy Service, delivered by the NHS.</li></ul>
    <h2>What we did</h2>
    <ul><li>Published a new set of leaflets, including one for Children's Occupational Therapy.</li>
    <li>Reviewed our procedure for professional contributions to the EHCP process, with a new template.</li>
    <li>Continued annual audits of the reports shared with schools and parents.</li>
    <li>Added a link to the SE website into our notes of visit and assessment.</li></ul>
    """)


def ot_leaflet() -> bytes:
    return _pdf("Children's Occupational Therapy Service (SPOT)", """
    <p>This leaflet explains what the Children's Occupational Therapy Service within SPOT does, and how it differs
    from the Children and Young People's Therapy Service delivered by the NHS.</p>
    <h2>What we do</h2><p>We advise schools and families on the support a child needs to take part in learning and
    everyday activities at school.</p>
    <h2>The NHS therapy service</h2><p>The NHS Children and Young People's Therapy Service provides clinical
    occupational therapy. Your GP, health visitor or school can refer to it.</p>
    """)
