REM policybook: the page of every bookmark of each DOCX handed over, as LibreOffice lays it out.
REM
REM Run as macro:///Standard.Policybook.PageNumbers in a private profile; the job folder is
REM $POLICYBOOK_PAGES. It writes "ready" when it runs, then takes 0.docx, 1.docx ... as they appear
REM (each renamed into place whole) until "end" is there and the next one is not. For each it
REM writes N.pages: the number of pages, then a line "bookmark TAB page" per bookmark. A document
REM it cannot open or lay out gets no N.pages. (Names such as Base or Now are Basic's own: a
REM variable so named stops the module compiling, and a headless LibreOffice then waits forever.)

Sub PageNumbers
  Dim folder As String, n As Long, f As Integer
  folder = Environ("POLICYBOOK_PAGES")
  If folder = "" Then Exit Sub
  f = FreeFile()
  Open folder & "/ready" For Output As #f
  Close #f
  n = 0
  Do
    Do While Not FileExists(folder & "/" & n & ".docx")
      If FileExists(folder & "/end") And Not FileExists(folder & "/" & n & ".docx") Then Exit Sub
      Wait 10
    Loop
    LayOut(folder & "/" & n)
    n = n + 1
  Loop
End Sub

REM Open stem.docx hidden, read every bookmark's page until two sweeps agree (Writer lays out
REM lazily: a first sweep can read a heading before the pages in front of it are all laid out),
REM write stem.pages, close the document.
Sub LayOut(stem As String)
  Dim args(0) As New com.sun.star.beans.PropertyValue
  Dim doc As Object, cursor As Object, marks As Object
  Dim f As Integer, i As Long, last As Long, sweep As Integer, at As Long, settled As Boolean
  On Error GoTo done
  args(0).Name = "Hidden"
  args(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(stem & ".docx"), "_blank", 0, args())
  If IsNull(doc) Then Exit Sub
  cursor = doc.getCurrentController().getViewCursor()
  marks = doc.getBookmarks()
  last = marks.getCount()
  ReDim seen(last) As Long
  settled = False
  For sweep = 1 To 4
    settled = sweep > 1
    For i = 0 To last - 1
      cursor.gotoRange(marks.getByIndex(i).getAnchor(), False)
      at = cursor.getPage()
      If at <> seen(i) Then settled = False
      seen(i) = at
    Next
    cursor.jumpToLastPage()
    at = cursor.getPage()
    If at <> seen(last) Then settled = False
    seen(last) = at
    If settled Then Exit For
  Next
  If settled Then
    f = FreeFile()
    Open stem & ".part" For Output As #f
    Print #f, CStr(seen(last))
    For i = 0 To last - 1
      Print #f, marks.getByIndex(i).getName() & Chr(9) & seen(i)
    Next
    Close #f
    Name stem & ".part" As stem & ".pages"
  End If
done:
  On Error Resume Next
  If Not IsNull(doc) Then doc.close(True)
End Sub
