REM policybook: the page of every bookmark of each DOCX handed over, as LibreOffice lays it out.
REM
REM Run as macro:///Standard.Policybook.PageNumbers in a private profile; the job folder is
REM $POLICYBOOK_PAGES. It writes "ready" when it runs, then takes 0.docx, 1.docx ... as they appear
REM (each renamed into place whole) until "end" is there and the next one is not; then it writes
REM "done" and returns, and LibreOffice ends. For each document it writes N.pages: the number of
REM pages, then a line "bookmark TAB page" per bookmark. A document it cannot open or lay out gets
REM no N.pages. (Names such as Base or Now are Basic's own: a variable so named stops the module
REM compiling, and a headless LibreOffice then waits forever.)

Sub PageNumbers
  Dim folder As String, n As Long
  folder = Environ("POLICYBOOK_PAGES")
  If folder = "" Then Exit Sub
  Touch(folder & "/ready")
  n = 0
  Do
    Do While Not FileExists(folder & "/" & n & ".docx")
      If FileExists(folder & "/end") And Not FileExists(folder & "/" & n & ".docx") Then
        Touch(folder & "/done")
        Exit Sub
      End If
      Wait 10
    Loop
    LayOut(folder & "/" & n)
    n = n + 1
  Loop
End Sub

Sub Touch(path As String)
  Dim f As Integer
  f = FreeFile()
  Open path For Output As #f
  Close #f
End Sub

REM Open stem.docx hidden, have the view lay it all out (its PageCount does: Writer otherwise lays
REM out lazily, and on a busy machine a cursor can read a heading's page before the pages in front
REM of it are laid out), read every bookmark's page until two sweeps agree with each other and with
REM the page count, write stem.pages, close the document.
Sub LayOut(stem As String)
  Dim args(0) As New com.sun.star.beans.PropertyValue
  Dim doc As Object, cursor As Object, marks As Object
  Dim f As Integer, i As Long, last As Long, sweep As Integer, at As Long, settled As Boolean, counted As Long
  On Error GoTo done
  args(0).Name = "Hidden"
  args(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(stem & ".docx"), "_blank", 0, args())
  If IsNull(doc) Then Exit Sub
  counted = doc.getCurrentController().PageCount  ' the view lays the whole document out first
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
    If at <> seen(last) Or at <> counted Then settled = False
    seen(last) = at
    counted = doc.getCurrentController().PageCount
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
