// Writes small PDF files for the document tests, byte by byte (PDF 1.4, uncompressed, a correct xref table):
// text placed at given positions in Helvetica, so a test controls what a reader sees — headings in a larger
// size, running headers and page numbers, a word hyphenated across lines. Also an image-only page (a scan with
// no text layer) and a password-protected file (the Standard security handler with a user password).

export interface PdfText {
  x: number;
  /** From the bottom of a US Letter page (792 points high). */
  y: number;
  text: string;
  size?: number;
  bold?: boolean;
}

export interface PdfPage {
  texts?: PdfText[];
  /** A grey square drawn as an image, as a scanner's page is. */
  image?: boolean;
}

export interface PdfOptions {
  /** Adds an /Encrypt dictionary whose user password is not empty: readers must ask for it. */
  encrypted?: boolean;
}

/** "(a \\(b\\))": a PDF literal string. Helvetica's WinAnsi covers Latin-1, which is all the tests use. */
function literal(text: string): string {
  return `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

export function makePdf(pages: PdfPage[], options: PdfOptions = {}): Buffer {
  const objects: Buffer[] = [];
  const add = (body: string | Buffer): number => {
    objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
    return objects.length;
  };
  const stream = (dict: string, data: Buffer) =>
    Buffer.concat([
      Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'),
      data,
      Buffer.from('\nendstream', 'latin1'),
    ]);

  const catalog = add('<< /Type /Catalog /Pages 2 0 R >>');
  add(''); // 2: the page tree, written once the pages are known
  const regular = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const bold = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  const image = add(
    stream(
      '/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8',
      Buffer.from([0x80, 0x40, 0x40, 0x80]),
    ),
  );
  const kids: number[] = [];
  for (const page of pages) {
    const ops: string[] = [];
    if (page.image) ops.push('q 468 0 0 648 72 72 cm /Im1 Do Q');
    for (const t of page.texts ?? [])
      ops.push(`BT /${t.bold ? 'F2' : 'F1'} ${t.size ?? 11} Tf ${t.x} ${t.y} Td ${literal(t.text)} Tj ET`);
    const content = add(stream('', Buffer.from(ops.join('\n'), 'latin1')));
    kids.push(
      add(
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${content} 0 R ` +
          `/Resources << /Font << /F1 ${regular} 0 R /F2 ${bold} 0 R >> /XObject << /Im1 ${image} 0 R >> >> >>`,
      ),
    );
  }
  objects[1] = Buffer.from(
    `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`,
    'latin1',
  );
  const id = '0123456789abcdef0123456789abcdef';
  // R2 (RC4, 40-bit) with an /O and /U that no empty password matches: the file needs its password.
  const encrypt = options.encrypted
    ? add(`<< /Filter /Standard /V 1 /R 2 /O <${'7a'.repeat(32)}> /U <${'3c'.repeat(32)}> /P -44 >>`)
    : 0;

  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
    offsets.push(offset);
    parts.push(obj);
    offset += obj.length;
  });
  const xref =
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R /ID [<${id}> <${id}>]` +
    `${encrypt ? ` /Encrypt ${encrypt} 0 R` : ''} >>\nstartxref\n${offset}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}

/** Lines of body text from the top of a page down, 14 points apart, as a simple typesetter sets them. */
export function bodyLines(lines: string[], top = 700, x = 72, size = 11): PdfText[] {
  return lines.map((text, i) => ({ x, y: top - i * 14, text, size }));
}
