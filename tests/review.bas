REM The tests' reviewer: LibreOffice opens $PB_REVIEW/in.docx as a model without a view (headless
REM LibreOffice is stable adding comments only so; its search service then finds nothing, so text is
REM found by walking the paragraphs), turns change tracking on, applies $PB_REVIEW/steps.txt as the
REM author named in author.txt, and saves out.docx (MS Word 2007 XML). A step is one line, fields
REM separated by TAB:
REM   replace  TEXT  NEW      delete  TEXT      insert  AFTER  NEW
REM   paragraph  AFTER  NEW   (a new paragraph after the one holding AFTER)
REM   delpara  TEXT          (the paragraph holding TEXT, with its paragraph mark)
REM   comment  TEXT  AUTHOR  BODY
REM What fails is written to error.txt. (Names such as Line or Access are Basic's own: a variable
REM so named stops the module compiling, and LibreOffice then waits forever.)

Sub Review
  Dim folder As String
  folder = Environ("PB_REVIEW")
  If folder = "" Then Exit Sub
  Touch(folder & "/ready")
  On Error GoTo failed
  SetAuthor(ReadLine(folder & "/author.txt"))
  Dim args(1) As New com.sun.star.beans.PropertyValue
  Dim doc As Object
  doc = createUnoService("com.sun.star.text.TextDocument")
  args(0).Name = "URL"
  args(0).Value = ConvertToURL(folder & "/in.docx")
  args(1).Name = "FilterName"
  args(1).Value = "MS Word 2007 XML"
  doc.load(args())
  doc.RecordChanges = True
  Dim f As Integer, stepText As String, parts
  f = FreeFile()
  Open folder & "/steps.txt" For Input As #f
  Do While Not EOF(f)
    Line Input #f, stepText
    If stepText <> "" Then
      parts = Split(stepText, Chr(9))
      Apply(doc, parts)
    End If
  Loop
  Close #f
  Dim store(0) As New com.sun.star.beans.PropertyValue
  store(0).Name = "FilterName"
  store(0).Value = "MS Word 2007 XML"
  doc.storeToURL(ConvertToURL(folder & "/out.docx"), store())
  doc.close(True)
  Touch(folder & "/done")
  Exit Sub
failed:
  Dim g As Integer
  g = FreeFile()
  Open folder & "/error.txt" For Output As #g
  Print #g, "line " & Erl & ": " & Error$
  Close #g
End Sub

Function ReadLine(path As String) As String
  Dim f As Integer, s As String
  s = ""
  If FileExists(path) Then
    f = FreeFile()
    Open path For Input As #f
    If Not EOF(f) Then Line Input #f, s
    Close #f
  End If
  ReadLine = s
End Function

Sub SetAuthor(name As String)
  If name = "" Then Exit Sub
  Dim provider As Object, settings As Object
  Dim path(0) As New com.sun.star.beans.PropertyValue
  provider = createUnoService("com.sun.star.configuration.ConfigurationProvider")
  path(0).Name = "nodepath"
  path(0).Value = "/org.openoffice.UserProfile/Data"
  settings = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationUpdateAccess", path())
  settings.setPropertyValue("givenname", name)
  settings.setPropertyValue("sn", "")
  settings.commitChanges()
End Sub

Function FindText(doc As Object, what As String) As Object
  FindText = FindIn(doc.getText(), what)
End Function

REM The search service finds nothing in a document without a view: walk the paragraphs (and
REM the paragraphs of table cells) and select the first occurrence with a cursor.
Function FindIn(text As Object, what As String) As Object
  Dim items As Object, item As Object, names, i As Long, at As Long, cursor As Object, found As Object
  items = text.createEnumeration()
  Do While items.hasMoreElements()
    item = items.nextElement()
    If item.supportsService("com.sun.star.text.TextTable") Then
      names = item.getCellNames()
      For i = LBound(names) To UBound(names)
        found = FindIn(item.getCellByName(names(i)).getText(), what)
        If Not IsNull(found) Then
          FindIn = found
          Exit Function
        End If
      Next
    Else
      at = InStr(item.getString(), what)
      If at > 0 Then
        cursor = text.createTextCursorByRange(item.getStart())
        cursor.goRight(at - 1, False)
        cursor.goRight(Len(what), True)
        FindIn = cursor
        Exit Function
      End If
    End If
  Loop
End Function

Sub Apply(doc As Object, parts)
  Dim found As Object, cursor As Object, note As Object
  found = FindText(doc, parts(1))
  If IsNull(found) Then
    Fail("not found: " & parts(1))
    Exit Sub
  End If
  Select Case parts(0)
    Case "replace"
      found.setString(parts(2))
    Case "delete"
      found.setString("")
    Case "insert"
      cursor = found.getText().createTextCursorByRange(found.getEnd())
      cursor.getText().insertString(cursor, parts(2), False)
    Case "paragraph"
      cursor = found.getText().createTextCursorByRange(found.getEnd())
      cursor.gotoEndOfParagraph(False)
      cursor.getText().insertControlCharacter(cursor, com.sun.star.text.ControlCharacter.PARAGRAPH_BREAK, False)
      cursor.getText().insertString(cursor, parts(2), False)
    Case "delpara"
      cursor = found.getText().createTextCursorByRange(found.getStart())
      cursor.gotoStartOfParagraph(False)
      cursor.gotoEndOfParagraph(True)
      cursor.goRight(1, True)
      cursor.setString("")
    Case "comment"
      note = doc.createInstance("com.sun.star.text.TextField.Annotation")
      note.Author = parts(2)
      note.Content = parts(3)
      found.getText().insertTextContent(found, note, True)
  End Select
End Sub

Sub Touch(path As String)
  Dim f As Integer
  f = FreeFile()
  Open path For Output As #f
  Close #f
End Sub

Sub Fail(message As String)
  Dim g As Integer
  g = FreeFile()
  Open Environ("PB_REVIEW") & "/error.txt" For Append As #g
  Print #g, message
  Close #g
End Sub
